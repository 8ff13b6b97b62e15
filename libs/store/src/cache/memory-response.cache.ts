import { LRUCache } from 'lru-cache';
import { decodeCacheValue, encodeCacheValue } from './cache-value.codec';
import {
  assertTtl,
  cacheEntryKey,
  parseCacheEntryKey,
  purgeMatches,
  type CacheKey,
  type CachePurge,
  type CacheStats,
  type ResponseCache,
} from './response-cache';

/**
 * Responses in this process's memory: the embedded default. Bounded in bytes as stored (values,
 * compressed when large, and keys); past the bound the least recently used entries go, and an
 * entry larger than the bound is not kept at all. What `get` returns may share memory with the
 * entry: a caller does not change it.
 */
export class MemoryResponseCache implements ResponseCache {
  private readonly cache: LRUCache<string, Uint8Array>;
  private evicted = 0;

  constructor(maxBytes = 64 * 1024 * 1024) {
    this.cache = new LRUCache<string, Uint8Array>({
      maxSize: maxBytes,
      sizeCalculation: (value, key) => value.byteLength + Buffer.byteLength(key),
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.evicted++;
      },
    });
  }

  async get(key: CacheKey): Promise<Uint8Array | undefined> {
    const stored = this.cache.get(cacheEntryKey(key));
    return stored === undefined ? undefined : decodeCacheValue(stored);
  }

  async set(key: CacheKey, value: Uint8Array, ttlMs: number): Promise<void> {
    assertTtl(ttlMs);
    this.cache.set(cacheEntryKey(key), await encodeCacheValue(value), { ttl: ttlMs });
  }

  delete(key: CacheKey): Promise<boolean> {
    return Promise.resolve(this.cache.delete(cacheEntryKey(key)));
  }

  purge(scope: CachePurge): Promise<number> {
    let removed = 0;
    // Collected first: deleting while iterating would skip entries.
    const doomed = [...this.cache.keys()].filter((entry) => {
      const key = parseCacheEntryKey(entry);
      return key !== undefined && purgeMatches(scope, key);
    });
    for (const entry of doomed) if (this.cache.delete(entry)) removed++;
    return Promise.resolve(removed);
  }

  /** Exact for this process: expired entries count until they are next touched or evicted. */
  stats(): CacheStats {
    return { entries: this.cache.size, bytes: this.cache.calculatedSize, evictions: this.evicted };
  }

  /** Bytes held (for specs and metrics). */
  get bytes(): number {
    return this.cache.calculatedSize;
  }
}
