import { LRUCache } from 'lru-cache';
import type { Principal } from '@switchyard/contracts';

/**
 * How long a verified key is trusted without asking the store again: a revoked, rotated-out or
 * expired key, or a suspended tenant's, stops working on every replica within this time even
 * when no invalidation reaches it (no Redis, or a message lost while Redis was away).
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
  private forgotten = 0;

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

  /**
   * Counts what was forgotten so far: a lookup that started before a key was forgotten may have
   * read it valid, and must not put it back (`remember`'s `since`).
   */
  get generation(): number {
    return this.forgotten;
  }

  /** Keeps a verified key; not when anything was forgotten since `since` (a `generation` read before the lookup). */
  remember(key: string, principal: Principal, since = this.forgotten): void {
    if (since === this.forgotten) this.cache.set(key, principal);
  }

  /** Forgets one key (revoked, rotated, expired): its next request is verified again. */
  forget(key: string): void {
    this.forgotten++;
    this.cache.delete(key);
  }

  /** Forgets every key of a principal's tenant (suspended) or of one key id. */
  forgetWhere(match: (p: Principal) => boolean): void {
    this.forgotten++;
    for (const [key, principal] of this.cache.entries()) if (match(principal)) this.cache.delete(key);
  }

  get size(): number {
    return this.cache.size;
  }
}
