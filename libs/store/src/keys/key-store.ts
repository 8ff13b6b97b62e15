import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { Principal } from '@switchyard/contracts';

/** DI token of the KeyStore. */
export const KEY_STORE = Symbol('switchyard.KeyStore');

/**
 * API keys and whose they are. A key is kept only as its keyed hash (`KeyDigest`), and a presented
 * key is found by that hash: no raw secret is stored or compared, so neither a copy of the store
 * nor a timing difference gives a key away.
 */
export interface KeyStore {
  /** The principal a presented key belongs to; undefined for an unknown or revoked key. */
  resolve(secret: string): Promise<Principal | undefined>;
  /**
   * Registers `secret` as the key `principal.keyId`, replacing that key id's earlier secret (a
   * rotation, or the admin key registered again at each start). Rejects with KeyConflictError a
   * secret another key id holds. Resolves to the principal stored: nothing secret.
   */
  register(secret: string, principal: Principal): Promise<Principal>;
  /** Revokes a key by its id: its secret resolves to nothing from then on. False: no such key. */
  revoke(keyId: string): Promise<boolean>;
}

/** One secret belongs to one key id. */
export class KeyConflictError extends Error {
  constructor() {
    super('This API key is already registered under another key id.');
    this.name = 'KeyConflictError';
  }
}

/**
 * The keyed hash keys are stored and looked up by: HMAC-SHA-256 under the server's secret, so a
 * stored digest is worthless without that secret (unlike a plain hash of a low-entropy key).
 */
export class KeyDigest {
  private readonly key: KeyObject;

  constructor(serverSecret: string | Uint8Array) {
    if (serverSecret.length === 0) throw new RangeError('The server secret for API key digests cannot be empty.');
    this.key = createSecretKey(typeof serverSecret === 'string' ? Buffer.from(serverSecret, 'utf8') : serverSecret);
  }

  of(secret: string): string {
    return createHmac('sha256', this.key).update(secret, 'utf8').digest('base64url');
  }
}

/** A frozen copy, so what a store hands out cannot be changed by its caller or by the registrant. */
export function storedPrincipal(p: Principal): Principal {
  const stored: Principal = { tenantId: p.tenantId, keyId: p.keyId, scopes: Object.freeze([...p.scopes]) };
  if (p.tenantName !== undefined) stored.tenantName = p.tenantName;
  if (p.grants !== undefined) stored.grants = Object.freeze(structuredClone(p.grants));
  return Object.freeze(stored);
}
