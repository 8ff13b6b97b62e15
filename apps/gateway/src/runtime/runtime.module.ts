import { Global, Module, type DynamicModule } from '@nestjs/common';
import { GATEWAY_RUNTIME, type GatewayRuntime } from './gateway-runtime';
import { RedisShutdown, REDIS, redisProvider } from './redis.provider';

/** What the process was started with (config, logger, keys) and its Redis connections: every module may read them. */
@Global()
@Module({})
export class RuntimeModule {
  static register(runtime: GatewayRuntime): DynamicModule {
    return {
      module: RuntimeModule,
      providers: [{ provide: GATEWAY_RUNTIME, useValue: runtime }, redisProvider, RedisShutdown],
      exports: [GATEWAY_RUNTIME, REDIS],
    };
  }
}
