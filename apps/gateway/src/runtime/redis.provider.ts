import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { RedisConnections } from '@switchyard/store';
import { GATEWAY_RUNTIME, type GatewayRuntime } from './gateway-runtime';

/** DI token: the process's RedisConnections when `REDIS_URL` is set, else null. */
export const REDIS = Symbol('switchyard.redis');

/** One set of Redis connections for every store in the gateway. */
export const redisProvider: Provider = {
  provide: REDIS,
  inject: [GATEWAY_RUNTIME],
  useFactory: (runtime: GatewayRuntime): RedisConnections | null =>
    runtime.redisUrl ? new RedisConnections(runtime.redisUrl, runtime.logger.child({ component: 'redis' }), runtime.redisPrefix) : null,
};

/** Closes the shared connections when the application shuts down. */
@Injectable()
export class RedisShutdown implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisConnections | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}
