import { randomUUID } from 'node:crypto';
import type { RedisConnections, StoreLog } from '../redis/redis-connections';

/** DI token of the KeyInvalidations. */
export const KEY_INVALIDATIONS = Symbol('switchyard.KeyInvalidations');

/**
 * What stopped being valid as it was cached: every key of a tenant (suspended, changed, deleted)
 * or one key (revoked, rotated). Ids only: never a secret, never a digest.
 */
export type KeyInvalidation = { tenantId: string } | { keyId: string };

/**
 * Tells every replica's cache of accepted keys what changed, so a revoked key or a suspended
 * tenant is refused everywhere at once rather than when each cached entry expires.
 */
export interface KeyInvalidations {
  /** Starts listening: `apply` gets what other replicas publish. Resolves once listening, or when it stops waiting for that. */
  start(apply: (change: KeyInvalidation) => void): Promise<void>;
  /** Called after a change is stored. Never throws, never blocks the caller. */
  publish(change: KeyInvalidation): void;
  close(): Promise<void>;
}

/** One replica alone: its own cache is told directly, there is nobody else to tell. */
export class LocalKeyInvalidations implements KeyInvalidations {
  start(): Promise<void> {
    return Promise.resolve();
  }

  publish(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Message {
  origin: string;
  tenantId?: string;
  keyId?: string;
}

/**
 * Key invalidations through Redis pub/sub on `<prefix>:keys:invalidate`: the replica whose admin
 * API made a change publishes it, every other replica drops the cached keys it names. A message
 * lost while Redis is away is not sent again; the caches' short expiry bounds what it leaves stale.
 */
export class RedisKeyInvalidations implements KeyInvalidations {
  private readonly origin = randomUUID();
  readonly channel: string;

  constructor(
    private readonly redis: RedisConnections,
    private readonly log: StoreLog,
    /** How long start waits for the subscription before going on without it (it completes when Redis is back). */
    private readonly waitMs = 1_000,
  ) {
    this.channel = `${redis.prefix}:keys:invalidate`;
  }

  async start(apply: (change: KeyInvalidation) => void): Promise<void> {
    const listening = this.redis.listen(this.channel, (raw) => {
      const change = parse(raw, this.origin);
      if (change !== undefined) apply(change);
    });
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.waitMs)));
    const first = await Promise.race([
      listening.then(
        () => true as const,
        (err: Error) => err,
      ),
      waited,
    ]).finally(() => clearTimeout(timer));
    if (first === true) {
      this.log.info({ channel: this.channel }, 'key invalidations shared through redis');
    } else if (first instanceof Error) {
      this.log.warn(
        { channel: this.channel, error: first.message },
        'cannot listen for key invalidations: other replicas learn of key changes when their cached keys expire',
      );
    } else {
      this.log.warn({ channel: this.channel }, 'redis unreachable: other replicas learn of key changes when their cached keys expire, until it is back');
      void listening.then(
        () => this.log.info({ channel: this.channel }, 'key invalidations shared through redis'),
        () => undefined,
      );
    }
  }

  publish(change: KeyInvalidation): void {
    const message: Message = { origin: this.origin, ...change };
    void this.redis.commands
      .publish(this.channel, JSON.stringify(message))
      .catch((err: Error) => this.log.warn({ error: err.message, ...change }, 'could not publish key invalidation'));
  }

  /** The connections belong to whoever built them (RedisConnections.close). */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A change another replica published; undefined for this replica's own messages and anything malformed. */
function parse(raw: string, self: string): KeyInvalidation | undefined {
  try {
    const m = JSON.parse(raw) as Partial<Message>;
    if (typeof m.origin !== 'string' || m.origin === self) return undefined;
    if (typeof m.tenantId === 'string' && m.tenantId.length > 0) return { tenantId: m.tenantId };
    if (typeof m.keyId === 'string' && m.keyId.length > 0) return { keyId: m.keyId };
    return undefined;
  } catch {
    return undefined;
  }
}
