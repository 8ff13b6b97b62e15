import type { Principal } from '@switchyard/contracts';
import { KeyConflictError, KeyDigest, storedPrincipal, type KeyStore } from './key-store';

/**
 * Keys in this process's memory, by HMAC digest: the embedded default, for keys registered at
 * start (the admin key). Its digests live as long as the process, so its server secret may too.
 */
export class MemoryKeyStore implements KeyStore {
  private readonly digest: KeyDigest;
  private readonly byDigest = new Map<string, Principal>();
  private readonly digestOfKey = new Map<string, string>();

  constructor(serverSecret: string | Uint8Array) {
    this.digest = new KeyDigest(serverSecret);
  }

  resolve(secret: string): Promise<Principal | undefined> {
    // A Map hit means the digests are equal; a miss says nothing usable about the secret.
    return Promise.resolve(this.byDigest.get(this.digest.of(secret)));
  }

  register(secret: string, principal: Principal): Promise<Principal> {
    if (secret.length === 0) return Promise.reject(new RangeError('An API key cannot be empty.'));
    const digest = this.digest.of(secret);
    const holder = this.byDigest.get(digest);
    if (holder !== undefined && holder.keyId !== principal.keyId) return Promise.reject(new KeyConflictError());
    this.forget(principal.keyId);
    const stored = storedPrincipal(principal);
    this.byDigest.set(digest, stored);
    this.digestOfKey.set(stored.keyId, digest);
    return Promise.resolve(stored);
  }

  revoke(keyId: string): Promise<boolean> {
    return Promise.resolve(this.forget(keyId));
  }

  private forget(keyId: string): boolean {
    const digest = this.digestOfKey.get(keyId);
    if (digest === undefined) return false;
    this.byDigest.delete(digest);
    this.digestOfKey.delete(keyId);
    return true;
  }
}
