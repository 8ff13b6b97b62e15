import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerModule, ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { Cluster } from 'ioredis';
import { SwitchyardError } from '@switchyard/contracts';
import type { RedisClient, RedisConnections } from '@switchyard/store';
import type { Logger } from '@switchyard/telemetry';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { REDIS } from '../runtime/redis.provider';

/** Failed key checks one address may make per minute before its unknown keys get 429 for a minute. */
export const BAD_KEYS = { name: 'bad-keys', limit: 20, ttl: 60_000, blockDuration: 60_000 } as const;

/** Requests one address may make to /admin/v1 per minute. */
export const ADMIN_REQUESTS = { name: 'admin', limit: 600, ttl: 60_000 } as const;

/** Too many requests from one address: 429 with Retry-After, in the path's dialect. */
export class ThrottledError extends SwitchyardError {
  constructor(message: string, retryAfterSeconds: number, code = 'rate_limit_exceeded') {
    super({ status: 429, type: 'rate_limit_error', message, code, retryAfter: String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}

/** The key a throttler counts an address under; one namespace per deployment in a shared Redis. */
export function throttleKey(prefix: string | undefined, name: string, tracker: string): string {
  return `${prefix ?? 'switchyard'}:throttle:${name}:${tracker}`;
}

/**
 * A storage that lets requests through while Redis is unreachable: a throttle against brute
 * force must not turn a Redis outage into an outage of the API. Logged once per transition.
 */
class FailOpenStorage implements ThrottlerStorage {
  private failing = false;

  constructor(
    private readonly inner: ThrottlerStorage,
    private readonly log: Logger,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, name: string): Promise<ThrottlerStorageRecord> {
    try {
      const record = await this.inner.increment(key, ttl, limit, blockDuration, name);
      if (this.failing) this.log.info({ throttler: name }, 'throttle storage reachable again');
      this.failing = false;
      return record;
    } catch (err) {
      if (!this.failing) this.log.warn({ throttler: name, error: (err as Error).message }, 'throttle storage unreachable: not throttling until it is back');
      this.failing = true;
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}

/**
 * `@nestjs/throttler` with its counts in Redis when the gateway has one (so every replica counts
 * an address together), else in memory. No guard runs globally: /admin/v1 uses AdminThrottlerGuard
 * and the key guard counts failed keys only, so /v1 requests with a valid key never touch it.
 */
export const throttlerModule = ThrottlerModule.forRootAsync({
  inject: [GATEWAY_RUNTIME, REDIS],
  useFactory: (runtime: GatewayRuntime, redis: RedisConnections | null) => ({
    throttlers: [ADMIN_REQUESTS],
    generateKey: (_context, tracker, name) => throttleKey(runtime.redisPrefix, name, tracker),
    storage:
      redis === null ? new ThrottlerStorageService() : new FailOpenStorage(redisStorage(redis.commands), runtime.logger.child({ component: 'throttle' })),
  }),
});

/** Its keys carry hash tags (`{key:name}:hits`, `…:blocked`), so its script runs on a cluster too. */
function redisStorage(client: RedisClient): ThrottlerStorageRedisService {
  return client instanceof Cluster ? new ThrottlerStorageRedisService(client) : new ThrottlerStorageRedisService(client);
}
