import { Module } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { KEY_INVALIDATIONS, LocalKeyInvalidations, RedisKeyInvalidations, type KeyInvalidations, type RedisConnections } from '@switchyard/store';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { IpcKeyInvalidations } from '../runtime/ipc-key.invalidations';
import { REDIS } from '../runtime/redis.provider';
import { AcceptedKeys } from './accepted-keys';
import { ApiKeyGuard } from './api-key.guard';
import { BadKeyThrottle } from './bad-key.throttle';
import { KeyRevocations } from './key-revocations';
import { LastUsedStamps } from './last-used';
import { throttlerModule } from './throttling';

/**
 * Who the caller is: the key guard, which attaches a Principal to each request, its cache of
 * accepted keys and how other replicas' caches learn of revocations, and the throttle on failed keys.
 */
@Module({
  imports: [throttlerModule],
  providers: [
    ApiKeyGuard,
    LastUsedStamps,
    // One cache of accepted keys for every guard instance, so that the admin API's `forget` reaches them all.
    { provide: AcceptedKeys, useFactory: () => new AcceptedKeys() },
    {
      provide: KEY_INVALIDATIONS,
      inject: [REDIS, GATEWAY_RUNTIME],
      useFactory: (redis: RedisConnections | null, runtime: GatewayRuntime): KeyInvalidations => {
        if (redis !== null) return new RedisKeyInvalidations(redis, runtime.logger.child({ component: 'keys' }));
        // Workers of SWITCHYARD_WORKERS without Redis tell each other through their primary.
        return runtime.workers !== undefined ? new IpcKeyInvalidations(runtime.workers) : new LocalKeyInvalidations();
      },
    },
    KeyRevocations,
    {
      provide: BadKeyThrottle,
      inject: [ThrottlerStorage, GATEWAY_RUNTIME],
      useFactory: (storage: ThrottlerStorage, runtime: GatewayRuntime) => new BadKeyThrottle(storage, runtime.redisPrefix),
    },
  ],
  exports: [ApiKeyGuard, AcceptedKeys, KeyRevocations, BadKeyThrottle, LastUsedStamps],
})
export class AuthModule {}
