import { LRUCache } from 'lru-cache';
import { secretValues } from '@switchyard/contracts';
import { CredentialUnreadableError, type CredentialStore, type ProviderCredential } from './credential-store';

/**
 * How long a tenant's keys are used without reading the store again: a key set or cleared through
 * another replica takes effect within this time (at once on the replica that changed it).
 */
export const CREDENTIALS_TTL_MS = 4_000;

interface Cached {
  keys: ReadonlyMap<string, string>;
}

/**
 * A CredentialStore with each tenant's keys kept in memory briefly, so a request reads a map, not
 * the database. One read per tenant at a time, however many requests wait on it. While the store
 * cannot be read (the database is away), the keys read last are used, so requests go on being
 * served. The keys held are registered with the process's secret masking for as long as they are
 * held, so no log line or error text carries one.
 */
export class CachedCredentials implements CredentialStore {
  private readonly cache: LRUCache<string, Cached>;
  private readonly loading = new Map<string, Promise<ReadonlyMap<string, string>>>();

  constructor(
    private readonly store: CredentialStore,
    ttlMs = CREDENTIALS_TTL_MS,
    max = 10_000,
  ) {
    // Expired entries stay (until read again, forgotten or evicted): the fallback while the store is away.
    this.cache = new LRUCache<string, Cached>({
      max,
      ttl: ttlMs,
      updateAgeOnGet: false,
      noDeleteOnStaleGet: true,
      dispose: (entry) => secretValues.delete(entry),
    });
  }

  keysOf(tenantId: string): ReadonlyMap<string, string> | Promise<ReadonlyMap<string, string>> {
    const hit = this.cache.get(tenantId);
    if (hit !== undefined) return hit.keys;
    const pending = this.loading.get(tenantId);
    if (pending !== undefined) return pending;
    const load = Promise.resolve(this.store.keysOf(tenantId)).then(
      (keys) => {
        // A change while the read was on its way (forget) must not be undone by its stale answer.
        if (this.loading.get(tenantId) === load) {
          this.loading.delete(tenantId);
          const entry: Cached = { keys };
          // Most tenants bring no key: nothing to mask, and the masking's list is not rebuilt for them.
          if (keys.size > 0) secretValues.set(entry, keys.values());
          this.cache.set(tenantId, entry);
        }
        return keys;
      },
      (err: unknown) => {
        if (this.loading.get(tenantId) !== load) throw err;
        this.loading.delete(tenantId);
        // A key that no longer decrypts is an error to show, not to paper over.
        const last = err instanceof CredentialUnreadableError ? undefined : this.cache.get(tenantId, { allowStale: true });
        if (last === undefined) throw err;
        // Held for another while: the store is tried again then, not on every request meanwhile.
        this.cache.set(tenantId, last);
        return last.keys;
      },
    );
    this.loading.set(tenantId, load);
    return load;
  }

  async set(tenantId: string, backend: string, apiKey: string): Promise<ProviderCredential | undefined> {
    const stored = await this.store.set(tenantId, backend, apiKey);
    this.forget(tenantId);
    return stored;
  }

  async delete(tenantId: string, backend: string): Promise<boolean> {
    const deleted = await this.store.delete(tenantId, backend);
    this.forget(tenantId);
    return deleted;
  }

  list(tenantId: string): Promise<ProviderCredential[]> {
    return this.store.list(tenantId);
  }

  /** Drops what is held of a tenant's keys: its next request reads them again. */
  forget(tenantId: string): void {
    this.loading.delete(tenantId);
    this.cache.delete(tenantId);
  }
}
