import type { CacheMode, PiiAction } from './config.schema';

export type TenantStatus = 'active' | 'suspended';

/** Requests and tokens per minute; unset: no limit of that kind. */
export interface Limits {
  rpm?: number;
  tpm?: number;
}

/** Spend caps in USD; unset: no cap of that kind. */
export interface Budgets {
  dailyUsd?: number;
  monthlyUsd?: number;
}

/** A tenant's cache settings, over the config's and its models'. */
export interface TenantCache {
  mode?: CacheMode;
  ttlSeconds?: number;
  /**
   * Tenants that name the same namespace share cached answers (an operator's choice: each can then
   * be served what another asked). Unset: the tenant's answers are its own.
   */
  namespace?: string;
}

/** A team Switchyard serves: its keys, what it may use, and how much. */
export interface Tenant {
  id: string;
  name: string;
  status: TenantStatus;
  /** Globs over model names (`chat*`); unset: every model. */
  allowedModels?: string[];
  /**
   * Overrides the config's `policy.privacy.onPii` for this tenant's requests; `capture: true` keeps
   * each request's and answer's bodies in the ledger, PII replaced by placeholders (off by default).
   */
  privacy?: { onPii?: PiiAction; capture?: boolean };
  limits?: Limits;
  budgets?: Budgets;
  cache?: TenantCache;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/** What a tenant is created with; the rest is the store's to fill. */
export type TenantInput = Pick<Tenant, 'name'> & Partial<Pick<Tenant, 'status' | 'allowedModels' | 'privacy' | 'limits' | 'budgets' | 'cache' | 'metadata'>>;

/** A change to a tenant: fields given are replaced; `null` clears an optional one. */
export type TenantPatch = Partial<{
  name: string;
  status: TenantStatus;
  allowedModels: string[] | null;
  privacy: Tenant['privacy'] | null;
  limits: Limits | null;
  budgets: Budgets | null;
  cache: TenantCache | null;
  metadata: Record<string, string>;
}>;
