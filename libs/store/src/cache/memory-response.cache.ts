import { LRUCache } from 'lru-cache';
import { assertTtl, cacheEntryKey, type CacheKey, type ResponseCache } from './response-cache';

/**
 * Responses in this process's memory: the embedded default. Bounded in bytes (values and keys);
 * past the bound the least recently used entries go, and an entry larger than the bound is not
 * kept at all. Values are kept as given, not copied: a caller does not change one after `set`.
 */
export class MemoryResponseCache implements ResponseCache {
  private readonly cache: LRUCache<string, Uint8Array>;

  constructor(maxBytes = 64 * 1024 * 1024) {
    this.cache = new LRUCache<string, Uint8Array>({
      maxSize: maxBytes,
      sizeCalculation: (value, key) => value.byteLength + Buffer.byteLength(key),
    });
  }

  get(key: CacheKey): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.cache.get(cacheEntryKey(key)));
  }

  set(key: CacheKey, value: Uint8Array, ttlMs: number): Promise<void> {
    return new Promise((resolve) => {
      assertTtl(ttlMs); // a throw in the executor rejects
      this.cache.set(cacheEntryKey(key), value, { ttl: ttlMs });
      resolve();
    });
  }

  delete(key: CacheKey): Promise<boolean> {
    return Promise.resolve(this.cache.delete(cacheEntryKey(key)));
  }

  /** Bytes held (for specs and metrics). */
  get bytes(): number {
    return this.cache.calculatedSize;
  }
}
