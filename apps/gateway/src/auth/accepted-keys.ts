import { LRUCache } from 'lru-cache';
import type { Principal } from '@switchyard/contracts';

/**
 * How long a verified key is trusted without asking the store again: a revoked, rotated-out or
 * expired key, or a suspended tenant's, stops working on every replica within this time.
 */
export const ACCEPTED_KEY_TTL_MS = 4_000;

/**
 * Credentials already verified, and whose they are: a client's next requests skip the hash. Bounded
 * and expiring, so a revoked or rotated key stops working within `ttlMs` on every replica even
 * without a message, and `forget` drops one at once when it is known to have changed. Only keys
 * that passed are kept; a lookup finds a string by its hash and compares contents only with an
 * entry of equal length and hash, so it cannot leak a key by timing.
 */
export class AcceptedKeys {
  private readonly cache: LRUCache<string, Principal>;

  constructor(max = 10_000, ttlMs = ACCEPTED_KEY_TTL_MS) {
    // Expired entries stay until evicted or forgotten: the fallback while the key store is away.
    this.cache = new LRUCache<string, Principal>({ max, ttl: ttlMs, updateAgeOnGet: false, noDeleteOnStaleGet: true });
  }

  get(key: string): Principal | undefined {
    return this.cache.get(key);
  }

  /**
   * A key accepted lately, expired for at most `withinMs`: while the key store cannot be read, keys
   * in use keep working (nothing can revoke them meanwhile: the admin API needs the same store).
   * Forgotten keys are gone for good.
   */
  lastKnown(key: string, withinMs: number): Principal | undefined {
    const entry = this.cache.info(key);
    // `ttl` is what remains of it: negative once expired.
    if (entry?.ttl === undefined || -entry.ttl > withinMs) return undefined;
    return entry.value;
  }

  remember(key: string, principal: Principal): void {
    this.cache.set(key, principal);
  }

  /** Forgets one key (revoked, rotated, expired): its next request is verified again. */
  forget(key: string): void {
    this.cache.delete(key);
  }

  /** Forgets every key of a principal's tenant (suspended) or of one key id. */
  forgetWhere(match: (p: Principal) => boolean): void {
    for (const [key, principal] of this.cache.entries()) if (match(principal)) this.cache.delete(key);
  }

  get size(): number {
    return this.cache.size;
  }
}
