import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { BackendsModule } from '../backends/backends.module';
import { LimitsModule } from '../limits/limits.module';
import { RoutingModule } from '../routing/routing.module';
import { MessagesController } from '../anthropic/messages.controller';
import { ChatController } from '../openai/chat.controller';
import { EmbeddingsController } from '../openai/embeddings.controller';
import { ModelsController } from '../openai/models.controller';
import { RouteExplainController } from '../openai/route-explain.controller';
import { CacheService } from '../cache/cache.service';
import { ChatService } from './chat.service';
import { EmbeddingsService } from './embeddings.service';

/** Inference in the canonical shape (chat, embeddings), and the inbound dialects' doors to it: OpenAI's `/v1` and Anthropic's `/v1/messages`. */
@Module({
  imports: [AuthModule, BackendsModule, LimitsModule, RoutingModule],
  controllers: [ModelsController, ChatController, EmbeddingsController, RouteExplainController, MessagesController],
  providers: [ChatService, EmbeddingsService, CacheService],
})
export class InferenceModule {}
