import { redactSecrets } from '@switchyard/contracts';
import { CachedCredentials } from './cached-credentials';
import { CredentialUnreadableError, type CredentialStore, type ProviderCredential } from './credential-store';

const KEY_B = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe('CachedCredentials', () => {
  /** A store that counts its reads and answers when told to. */
  class CountingStore implements CredentialStore {
    reads = 0;
    keys = new Map<string, string>([['openai', KEY_B]]);
    gate?: Promise<void>;
    /** Thrown by every read while set. */
    failure?: Error;
    set = (): Promise<ProviderCredential | undefined> => Promise.resolve(undefined);
    delete = (): Promise<boolean> => Promise.resolve(true);
    list = (): Promise<ProviderCredential[]> => Promise.resolve([]);
    async keysOf(): Promise<ReadonlyMap<string, string>> {
      this.reads++;
      const keys = new Map(this.keys);
      await this.gate;
      if (this.failure) throw this.failure;
      return keys;
    }
  }

  it('reads a tenant once for concurrent requests, then answers at once until it expires', async () => {
    const store = new CountingStore();
    const cached = new CachedCredentials(store, 50);
    const [x, y] = await Promise.all([cached.keysOf('t'), cached.keysOf('t')]);
    expect(x).toBe(y);
    expect(store.reads).toBe(1);
    expect(cached.keysOf('t')).toBeInstanceOf(Map);
    expect(store.reads).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    await cached.keysOf('t');
    expect(store.reads).toBe(2);
  });

  it('reads again after a change through it, and never caches a read the change overtook', async () => {
    const store = new CountingStore();
    const cached = new CachedCredentials(store);
    let open!: () => void;
    store.gate = new Promise<void>((r) => (open = r));
    const stale = cached.keysOf('t');
    await cached.delete('t', 'openai');
    store.keys.clear();
    open();
    expect((await stale).get('openai')).toBe(KEY_B);
    store.gate = undefined;
    expect((await cached.keysOf('t')).size).toBe(0);
  });

  it('keeps using the keys read last while the store cannot be read, trying it again after another while', async () => {
    const store = new CountingStore();
    const cached = new CachedCredentials(store, 50);
    await cached.keysOf('t');
    await new Promise((r) => setTimeout(r, 80));
    store.failure = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect((await cached.keysOf('t')).get('openai')).toBe(KEY_B);
    expect(cached.keysOf('t')).toBeInstanceOf(Map);
    expect(store.reads).toBe(2);
    // Back: the next read after the while is the store's.
    store.failure = undefined;
    store.keys.clear();
    await new Promise((r) => setTimeout(r, 80));
    expect((await cached.keysOf('t')).size).toBe(0);
    expect(store.reads).toBe(3);
  });

  it('fails when it has nothing read before, after a change through it, or for a key that no longer decrypts', async () => {
    const store = new CountingStore();
    const cached = new CachedCredentials(store, 50);
    store.failure = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    await expect(cached.keysOf('t')).rejects.toThrow('ECONNREFUSED');
    store.failure = undefined;
    await cached.keysOf('t');
    cached.forget('t');
    store.failure = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    await expect(cached.keysOf('t')).rejects.toThrow('ECONNREFUSED');
    store.failure = undefined;
    await cached.keysOf('t');
    await new Promise((r) => setTimeout(r, 80));
    store.failure = new CredentialUnreadableError('t', 'openai');
    await expect(cached.keysOf('t')).rejects.toBeInstanceOf(CredentialUnreadableError);
  });

  it('masks the keys it holds in any text', async () => {
    const cached = new CachedCredentials(new CountingStore());
    await cached.keysOf('t');
    expect(redactSecrets(`upstream said: bad key ${KEY_B}`)).toBe('upstream said: bad key [REDACTED]');
    cached.forget('t');
  });
});
