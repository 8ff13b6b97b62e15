import type { Tenant, TenantInput, TenantPatch } from '@switchyard/contracts';

/** DI token of the TenantStore. */
export const TENANT_STORE = Symbol('switchyard.TenantStore');

/** Tenants: created, read, changed and deleted by the admin API; read by the key guard and limits. */
export interface TenantStore {
  /** Rejects with TenantConflictError when the name is taken. */
  create(input: TenantInput): Promise<Tenant>;
  get(id: string): Promise<Tenant | undefined>;
  /** Oldest first; `after` is the last id of the previous page. */
  list(page?: { limit?: number; after?: string }): Promise<Tenant[]>;
  /** Undefined: no such tenant. Rejects with TenantConflictError when a new name is taken. */
  update(id: string, patch: TenantPatch): Promise<Tenant | undefined>;
  /** Deletes the tenant with its keys and credentials. False: no such tenant. */
  delete(id: string): Promise<boolean>;
}

/** Tenant names are unique. */
export class TenantConflictError extends Error {
  constructor(readonly tenantName: string) {
    super(`A tenant named "${tenantName}" already exists.`);
    this.name = 'TenantConflictError';
  }
}
