import type { Principal } from '@switchyard/contracts';
import type { KeyStore } from './key-store';

/**
 * Keys known at start (the admin key) in memory, asked first with no I/O; every other key in the
 * store behind (tenant keys in the database). Registering holds a key in memory only.
 */
export class LayeredKeyStore implements KeyStore {
  constructor(
    private readonly startup: KeyStore,
    private readonly store: KeyStore,
  ) {}

  async resolve(secret: string): Promise<Principal | undefined> {
    return (await this.startup.resolve(secret)) ?? this.store.resolve(secret);
  }

  register(secret: string, principal: Principal): Promise<Principal> {
    return this.startup.register(secret, principal);
  }

  async revoke(keyId: string): Promise<boolean> {
    return (await this.startup.revoke(keyId)) || this.store.revoke(keyId);
  }
}
