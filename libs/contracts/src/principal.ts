/**
 * Who a request comes from, as the auth guard resolved its credential: everything downstream
 * (features, logs, limits, the ledger) reads it from the request instead of guessing.
 */
export interface Principal {
  /** The tenant the credential belongs to; the admin key is the principal of the built-in `admin` tenant. */
  tenantId: string;
  /** The key's id (never the key itself). */
  keyId: string;
  /** What the credential may do: `inference` on /v1, `admin` on /admin/v1. */
  scopes: readonly string[];
}

/** The admin key's principal: a tenant of its own, so its usage is recorded like any other. */
export const ADMIN_PRINCIPAL: Principal = Object.freeze({ tenantId: 'admin', keyId: 'admin', scopes: Object.freeze(['inference', 'admin']) });
