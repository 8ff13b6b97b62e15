import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { RoutingModule } from '../routing/routing.module';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { EmbeddingsController } from './embeddings.controller';
import { ModelsController } from './models.controller';
import { RouteExplainController } from './route-explain.controller';

/** The OpenAI-compatible `/v1` API. */
@Module({
  imports: [AuthModule, RoutingModule],
  controllers: [ModelsController, ChatController, EmbeddingsController, RouteExplainController],
  providers: [ChatService],
})
export class InferenceModule {}
