/** DI token of the CredentialStore (null when the gateway runs without a database). */
export const CREDENTIALS = Symbol('switchyard.CredentialStore');

/** A tenant's provider key as any API shows it: never the key, only a hint to recognise it by. */
export interface ProviderCredential {
  tenantId: string;
  backend: string;
  /** `sk-…abcd`: the key's scheme prefix and last characters. */
  hint: string;
  updatedAt: string;
}

/**
 * Provider keys a tenant brings for a backend (bring your own key): its calls to that backend
 * carry it instead of the backend's configured key. Stored encrypted; the plain key leaves the
 * store only through `keysOf`, for the calls themselves.
 */
export interface CredentialStore {
  /** Stores or replaces the tenant's key for `backend`. Undefined: no such tenant. */
  set(tenantId: string, backend: string, apiKey: string): Promise<ProviderCredential | undefined>;
  /** False: the tenant had no key for `backend`. */
  delete(tenantId: string, backend: string): Promise<boolean>;
  /** The tenant's credentials, hints only, by backend name. */
  list(tenantId: string): Promise<ProviderCredential[]>;
  /**
   * The tenant's keys in plain text, by backend name, for its upstream calls. A cached store
   * answers at once (a map, not a promise) while its copy is fresh. Rejects with
   * CredentialUnreadableError when a stored key cannot be decrypted (the server secret changed).
   */
  keysOf(tenantId: string): ReadonlyMap<string, string> | Promise<ReadonlyMap<string, string>>;
}

/**
 * A stored key that no longer decrypts: the server secret changed, or the row was tampered with.
 * The tenant's calls fail rather than fall back to the backend's own key, which someone else pays for.
 */
export class CredentialUnreadableError extends Error {
  constructor(
    readonly tenantId: string,
    readonly backend: string,
  ) {
    super(`The stored provider key of tenant ${tenantId} for backend ${backend} cannot be decrypted (was SWITCHYARD_SECRET changed?); set it again.`);
    this.name = 'CredentialUnreadableError';
  }
}

/** `sk-…abcd`: a short scheme prefix (`sk-`, `sk-ant-`) and, for keys long enough to spare them, the last four characters. */
export function credentialHint(apiKey: string): string {
  const scheme = /^(?:[A-Za-z]{2,4}-){1,2}/.exec(apiKey)?.[0] ?? '';
  const prefix = scheme.length <= apiKey.length / 3 ? scheme : '';
  return `${prefix}…${apiKey.length >= 16 ? apiKey.slice(-4) : ''}`;
}
