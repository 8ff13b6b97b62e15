import type { PiiAction } from './config.schema';
import type { Budgets, Limits, TenantCache } from './tenant';

/**
 * What a tenant key may use and how much, resolved with the key (and cached with it), so the hot
 * path reads it without another lookup. Absent fields mean no restriction of that kind.
 */
export interface Grants {
  /** Globs over model names; unset: every model. */
  allowedModels?: readonly string[];
  /** The tenant's privacy stance, over the config's `policy.privacy.onPii`. */
  onPii?: PiiAction;
  /** The tenant keeps its requests' bodies (PII replaced) with their ledger records. */
  capture?: boolean;
  /** The tenant's cache settings. */
  cache?: TenantCache;
  /** The tenant's limits and the key's own, which apply inside the tenant's. */
  limits: { tenant?: Limits; key?: Limits };
  budgets: { tenant?: Budgets; key?: Budgets };
}

/**
 * Who a request comes from, as the auth guard resolved its credential: everything downstream
 * (features, logs, limits, the ledger) reads it from the request instead of guessing.
 */
export interface Principal {
  /** The tenant the credential belongs to; the admin key is the principal of the built-in `admin` tenant. */
  tenantId: string;
  /** The tenant's name, what policy rules match (`match.tenant`); unset: rules see the id (`admin` is both). */
  tenantName?: string;
  /** The key's id (never the key itself). */
  keyId: string;
  /** What the credential may do: `inference` on /v1, `admin` on /admin/v1. */
  scopes: readonly string[];
  /** Set for tenant keys; the admin key has none and is unrestricted. */
  grants?: Grants;
}

/** The admin key's principal: a tenant of its own, so its usage is recorded like any other. */
export const ADMIN_PRINCIPAL: Principal = Object.freeze({ tenantId: 'admin', keyId: 'admin', scopes: Object.freeze(['inference', 'admin']) });
