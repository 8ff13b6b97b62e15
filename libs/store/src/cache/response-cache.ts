/** DI token of the ResponseCache. */
export const RESPONSE_CACHE = Symbol('switchyard.ResponseCache');

/** A cache key always names its tenant: no caller can read or write another tenant's entries. */
export interface CacheKey {
  readonly tenantId: string;
  /** What identifies the response within the tenant (e.g. a hash of the normalized request). */
  readonly key: string;
}

/**
 * Cached responses, as bytes (what they encode is the caller's). An entry may be dropped before
 * its time (memory pressure, an entry too large to keep), never served after it.
 */
export interface ResponseCache {
  get(key: CacheKey): Promise<Uint8Array | undefined>;
  /** Rejects with RangeError unless `ttlMs` is a positive integer. */
  set(key: CacheKey, value: Uint8Array, ttlMs: number): Promise<void>;
  /** False when there was no such entry. */
  delete(key: CacheKey): Promise<boolean>;
}

/**
 * The one string a tenant's key is stored under. The tenant's length leads, so no pair of tenant
 * and key can spell another's (`a` + `b:c` and `a:b` + `c` stay apart).
 */
export function cacheEntryKey({ tenantId, key }: CacheKey): string {
  return `${tenantId.length}:${tenantId}:${key}`;
}

/** Throws RangeError unless `ttlMs` is a positive integer. */
export function assertTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError('A cache entry needs a ttlMs that is a positive integer.');
}
