import { Module } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { AcceptedKeys } from './accepted-keys';
import { ApiKeyGuard } from './api-key.guard';
import { BadKeyThrottle } from './bad-key.throttle';
import { LastUsedStamps } from './last-used';
import { throttlerModule } from './throttling';

/** Who the caller is: the key guard, which attaches a Principal to each request, its cache of accepted keys, and the throttle on failed keys. */
@Module({
  imports: [throttlerModule],
  providers: [
    ApiKeyGuard,
    LastUsedStamps,
    // One cache of accepted keys for every guard instance, so that the admin API's `forget` reaches them all.
    { provide: AcceptedKeys, useFactory: () => new AcceptedKeys() },
    {
      provide: BadKeyThrottle,
      inject: [ThrottlerStorage, GATEWAY_RUNTIME],
      useFactory: (storage: ThrottlerStorage, runtime: GatewayRuntime) => new BadKeyThrottle(storage, runtime.redisPrefix),
    },
  ],
  exports: [ApiKeyGuard, AcceptedKeys, BadKeyThrottle, LastUsedStamps],
})
export class AuthModule {}
