import type { Cluster, Redis } from 'ioredis';
import type { RedisClient, RedisConnections } from '../redis/redis-connections';
import { decodeCacheValue, encodeCacheValue } from './cache-value.codec';
import { assertTtl, purgeMatches, type CacheKey, type CachePurge, type CacheStats, type ResponseCache } from './response-cache';

/** Redis is known to be down, or did not answer in time: the caller serves without the cache. */
export class CacheUnavailableError extends Error {
  constructor(reason: string) {
    super(`The response cache's Redis is unavailable (${reason}).`);
    this.name = 'CacheUnavailableError';
  }
}

export interface RedisResponseCacheOptions {
  /** Longest a get, set or delete waits for Redis (default 100 ms): a slow cache is worse than none. */
  timeoutMs?: number;
  /** Longest each SCAN or UNLINK of a purge waits (default 10 s). */
  purgeTimeoutMs?: number;
  /** How old the INFO figures `stats()` returns may get before it asks again (default 10 s). */
  statsIntervalMs?: number;
}

// A purge scans this many keys per call, and stops after this many calls (100M keys): a bound, not a limit anyone meets.
const SCAN_COUNT = 1000;
const MAX_SCAN_CALLS = 100_000;

/**
 * Responses in Redis, shared by every replica. An entry is a string key
 * `<prefix>:cache:<tenant length>:{<tenant>}:<model length>:<model>:<key>` holding the encoded
 * value (compressed when large), with a PX expiry. The tenant is the key's hash tag, so all of a
 * tenant's entries share a slot (its purge is one slot's SCAN on a cluster); the lengths keep
 * every triple apart whatever characters it holds. The connections' prefix must not hold `{`.
 *
 * Any Redis failure rejects (CacheUnavailableError when Redis is down or too slow) and never
 * waits long: the caller serves the request without the cache.
 */
export class RedisResponseCache implements ResponseCache {
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly purgeTimeoutMs: number;
  private readonly statsIntervalMs: number;
  private connected?: Promise<void>;
  private snapshot: CacheStats = { entries: 0, bytes: 0, evictions: 0 };
  private snapshotAt = -Infinity;
  private refreshing?: Promise<CacheStats>;

  constructor(
    private readonly redis: RedisConnections,
    options: RedisResponseCacheOptions = {},
  ) {
    this.prefix = `${redis.prefix}:cache:`;
    this.timeoutMs = options.timeoutMs ?? 100;
    this.purgeTimeoutMs = options.purgeTimeoutMs ?? 10_000;
    this.statsIntervalMs = options.statsIntervalMs ?? 10_000;
  }

  async get(key: CacheKey): Promise<Uint8Array | undefined> {
    const stored = await this.run((r) => r.getBuffer(this.redisKey(key)), this.timeoutMs);
    return stored === null ? undefined : decodeCacheValue(stored);
  }

  async set(key: CacheKey, value: Uint8Array, ttlMs: number): Promise<void> {
    assertTtl(ttlMs);
    const stored = await encodeCacheValue(value);
    const body = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
    await this.run((r) => r.set(this.redisKey(key), body, 'PX', ttlMs), this.timeoutMs);
  }

  async delete(key: CacheKey): Promise<boolean> {
    return (await this.run((r) => r.unlink(this.redisKey(key)), this.timeoutMs)) > 0;
  }

  /**
   * SCAN MATCH the scope's keys and UNLINK them a batch at a time. Resolves to how many this
   * call removed: entries written while it runs may stay, and one another purge took first are
   * not counted.
   */
  async purge(scope: CachePurge): Promise<number> {
    const pattern = this.purgePattern(scope);
    // A cluster's keys are spread over its masters: each is scanned, and its keys unlinked one by
    // one (a multi-key UNLINK across slots is refused).
    const clients: Redis[] = this.redis.cluster
      ? await this.run((r) => Promise.resolve((r as Cluster).nodes('master')), this.purgeTimeoutMs)
      : [this.redis.commands as Redis];
    let removed = 0;
    for (const client of clients) {
      let cursor = '0';
      for (let calls = 0; calls < MAX_SCAN_CALLS; calls++) {
        const [next, keys] = await this.run(() => client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT), this.purgeTimeoutMs);
        // The pattern may match more than the scope (a model-only purge, characters in names); the parse decides.
        const doomed = keys.filter((k) => {
          const parsed = this.parseRedisKey(k);
          return parsed !== undefined && purgeMatches(scope, parsed);
        });
        if (doomed.length > 0) removed += await this.run(() => unlinkAll(client, doomed, this.redis.cluster), this.purgeTimeoutMs);
        cursor = next;
        if (cursor === '0') break;
      }
    }
    return removed;
  }

  /**
   * Redis-wide figures from INFO, as of at most `statsIntervalMs` ago (each call past that asks
   * again in the background): `entries` is the key count of the connection's database, `bytes`
   * Redis's `used_memory_dataset`, `evictions` its `evicted_keys` — so they include Switchyard's
   * other keys (counters, limits), which are few beside a cache's. Zeros until the first answer.
   */
  stats(): CacheStats {
    if (this.refreshing === undefined && performance.now() - this.snapshotAt >= this.statsIntervalMs && this.redis.commands.status === 'ready') {
      void this.refreshStats().catch(() => undefined);
    }
    return this.snapshot;
  }

  /** Asks Redis for the figures `stats()` returns now (a refresh already under way is shared). */
  refreshStats(): Promise<CacheStats> {
    this.refreshing ??= this.run((r) => r.info(), this.purgeTimeoutMs)
      .then((info) => {
        const options = this.redis.commands.options;
        const db = String(('db' in options ? options.db : undefined) ?? 0);
        this.snapshot = {
          entries: infoNumber(info, new RegExp(`^db${db}:keys=(\\d+)`, 'm')),
          bytes: infoNumber(info, /^used_memory_dataset:(\d+)/m),
          evictions: infoNumber(info, /^evicted_keys:(\d+)/m),
        };
        this.snapshotAt = performance.now();
        return this.snapshot;
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private redisKey({ tenantId, model, key }: CacheKey): string {
    return `${this.prefix}${tenantId.length}:{${tenantId}}:${model.length}:${model}:${key}`;
  }

  /** Tenant and model from a key `redisKey` wrote; undefined for any other. */
  private parseRedisKey(redisKey: string): Pick<CacheKey, 'tenantId' | 'model'> | undefined {
    if (!redisKey.startsWith(this.prefix)) return undefined;
    const m = /^(\d{1,9}):\{/.exec(redisKey.slice(this.prefix.length));
    if (m === null) return undefined;
    const tenantAt = this.prefix.length + m[0].length;
    const tenantEnd = tenantAt + Number(m[1]);
    if (redisKey.slice(tenantEnd, tenantEnd + 2) !== '}:') return undefined;
    const rest = redisKey.slice(tenantEnd + 2);
    const n = /^(\d{1,9}):/.exec(rest);
    if (n === null) return undefined;
    const model = rest.slice(n[0].length, n[0].length + Number(n[1]));
    if (rest[n[0].length + model.length] !== ':') return undefined;
    return { tenantId: redisKey.slice(tenantAt, tenantEnd), model };
  }

  private purgePattern({ tenantId, model }: CachePurge): string {
    if (tenantId === undefined) return `${globEscape(this.prefix)}*`;
    const tenant = `${globEscape(this.prefix)}${tenantId.length}:{${globEscape(tenantId)}}:`;
    return model === undefined ? `${tenant}*` : `${tenant}${model.length}:${globEscape(model)}:*`;
  }

  private run<T>(command: (redis: RedisClient) => Promise<T>, timeoutMs: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CacheUnavailableError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.call(command), late]).finally(() => clearTimeout(timer));
  }

  private async call<T>(command: (redis: RedisClient) => Promise<T>): Promise<T> {
    const redis = this.redis.commands;
    // A failed first connect is retried by ioredis itself; the status check below reports it, so
    // no command waits in the offline queue while Redis is down.
    await (this.connected ??= this.redis.connect().catch(() => undefined));
    if (redis.status !== 'ready') throw new CacheUnavailableError(redis.status);
    return command(redis);
  }
}

/** UNLINKs keys of one node: together on a single server, one by one (pipelined) on a cluster's node. */
async function unlinkAll(client: Redis, keys: string[], cluster: boolean): Promise<number> {
  if (!cluster) return client.unlink(...keys);
  const results = (await client.pipeline(keys.map((k) => ['unlink', k])).exec()) ?? [];
  return results.reduce((n, [err, count]) => n + (err === null ? Number(count) : 0), 0);
}

/** Escapes what Redis's glob-style MATCH would read as a pattern. */
function globEscape(text: string): string {
  return text.replace(/[\\*?[\]^]/g, (c) => `\\${c}`);
}

function infoNumber(info: string, pattern: RegExp): number {
  const m = pattern.exec(info);
  return m === null ? 0 : Number(m[1]);
}
