/** DI token of the ResponseCache. */
export const RESPONSE_CACHE = Symbol('switchyard.ResponseCache');

/** A cache key always names its tenant: no caller can read or write another tenant's entries. */
export interface CacheKey {
  readonly tenantId: string;
  /** Public model name the client asked for, so an operator can purge one model's entries. */
  readonly model: string;
  /** What identifies the response within the tenant (e.g. a hash of the normalized request). */
  readonly key: string;
}

/** What a purge removes: the entries of a tenant, of a model, of both; neither set: everything. */
export interface CachePurge {
  tenantId?: string;
  model?: string;
}

export interface CacheStats {
  entries: number;
  /** As stored (compressed where it paid). */
  bytes: number;
  /** Entries dropped for room before their ttl (not expiries, deletes or purges). */
  evictions: number;
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
  /** Removes every entry of the tenant and/or model; resolves to how many went (Redis: best effort count). */
  purge(scope: CachePurge): Promise<number>;
  /** What the cache holds now, for /metrics. Each implementation says where its numbers come from. */
  stats(): CacheStats;
}

/**
 * The one string an entry is stored under. Tenant and model lead with their lengths, so no
 * triple can spell another's (`a` + `b:c` and `a:b` + `c` stay apart), and a purge can read
 * both back (`parseCacheEntryKey`).
 */
export function cacheEntryKey({ tenantId, model, key }: CacheKey): string {
  return `${tenantId.length}:${tenantId}:${model.length}:${model}:${key}`;
}

/** The key `cacheEntryKey` wrote; undefined for a string it did not write. */
export function parseCacheEntryKey(entry: string): CacheKey | undefined {
  const tenant = readCounted(entry, 0);
  if (tenant === undefined) return undefined;
  const model = readCounted(entry, tenant.end);
  if (model === undefined) return undefined;
  return { tenantId: tenant.value, model: model.value, key: entry.slice(model.end) };
}

/** `<length>:<value>:` from `at`: the value, and where what follows it starts. */
function readCounted(text: string, at: number): { value: string; end: number } | undefined {
  const colon = text.indexOf(':', at);
  if (colon <= at || colon - at > 9) return undefined;
  const digits = text.slice(at, colon);
  if (!/^\d+$/.test(digits)) return undefined;
  const start = colon + 1;
  const end = start + Number(digits);
  if (text[end] !== ':') return undefined;
  return { value: text.slice(start, end), end: end + 1 };
}

/** Whether a purge of `scope` removes the entry under `key`. */
export function purgeMatches(scope: CachePurge, key: Pick<CacheKey, 'tenantId' | 'model'>): boolean {
  return (scope.tenantId === undefined || scope.tenantId === key.tenantId) && (scope.model === undefined || scope.model === key.model);
}

/** Throws RangeError unless `ttlMs` is a positive integer. */
export function assertTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError('A cache entry needs a ttlMs that is a positive integer.');
}
