import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { GatewayMetrics } from '@switchyard/telemetry';
import { ApiKeyGuard } from './auth/api-key.guard';
import { BackendsService } from './backends/backends.service';
import { DialectExceptionFilter } from './errors/dialect-exception.filter';
import { HealthController } from './health/health.controller';
import { ChatController } from './openai/chat.controller';
import { ChatService } from './openai/chat.service';
import { EmbeddingsController } from './openai/embeddings.controller';
import { ModelsController } from './openai/models.controller';
import { RouteExplainController } from './openai/route-explain.controller';
import { MetricsController } from './metrics/metrics.controller';
import { OutcomeBus } from './observability/outcome-bus';
import { OutcomeMetrics } from './observability/outcome-metrics';
import { ChainExecutor } from './routing/chain-executor.service';
import { PlacementService } from './routing/placement.service';
import { ConfigReloader } from './runtime/config-reloader.service';
import { GATEWAY_RUNTIME, type GatewayRuntime } from './runtime/gateway-runtime';
import { RedisShutdown, redisProvider } from './runtime/redis.provider';

@Module({})
export class AppModule {
  static register(runtime: GatewayRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [ModelsController, ChatController, EmbeddingsController, RouteExplainController, HealthController, MetricsController],
      providers: [
        { provide: GATEWAY_RUNTIME, useValue: runtime },
        { provide: APP_FILTER, useClass: DialectExceptionFilter },
        { provide: GatewayMetrics, useFactory: () => new GatewayMetrics() },
        ApiKeyGuard,
        BackendsService,
        PlacementService,
        ChainExecutor,
        ChatService,
        ConfigReloader,
        OutcomeBus,
        OutcomeMetrics,
        redisProvider,
        RedisShutdown,
      ],
    };
  }
}
