import type { Budgets, Limits } from '@switchyard/contracts';

/** DI token of the ApiKeys. */
export const API_KEYS = Symbol('switchyard.ApiKeys');

/** An API key as the admin API shows it: never its secret, only a prefix to recognise it by. */
export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  /** The key's first characters (`sk-sy-AbCd`), to tell keys apart. */
  prefix: string;
  limits?: Limits;
  budgets?: Budgets;
  expiresAt?: string;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

export interface ApiKeyInput {
  name: string;
  expiresAt?: Date;
  limits?: Limits;
  budgets?: Budgets;
}

/** A key just made or rotated: the only time its secret is seen. */
export interface IssuedKey {
  key: string;
  record: ApiKeyRecord;
}

/** Tenant API keys as the admin API manages them; the key guard resolves them through the KeyStore. */
export interface ApiKeys {
  /** Undefined: no such tenant. */
  create(tenantId: string, input: ApiKeyInput): Promise<IssuedKey | undefined>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** The tenant's keys, revoked ones included, oldest first. */
  list(tenantId: string): Promise<ApiKeyRecord[]>;
  /** A new secret for the key; the old one keeps working for `graceMs` (0: stops at once). Undefined: no such live key. */
  rotate(id: string, graceMs: number): Promise<IssuedKey | undefined>;
  /** Stamps when keys were last used (batched by the caller, never per request). */
  touch(ids: readonly string[], at: Date): Promise<void>;
}
