import { randomBytes } from 'node:crypto';
import type { Budgets, Grants, Limits, PiiAction, Principal, TenantCache } from '@switchyard/contracts';
import { jsonColumn, type Database } from '../sql/database';
import type { ApiKeyInput, ApiKeyRecord, ApiKeys, IssuedKey } from './api-keys';
import { KeyConflictError, KeyDigest, storedPrincipal, type KeyStore } from './key-store';

interface KeyRow {
  id: string;
  tenant_id: string;
  name: string;
  prefix: string;
  limits: ApiKeyRecord['limits'] | null;
  budgets: ApiKeyRecord['budgets'] | null;
  expires_at: Date | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

interface GrantRow {
  id: string;
  tenant_id: string;
  tenant_name: string;
  scopes: string[];
  key_limits: Limits | null;
  key_budgets: Budgets | null;
  allowed_models: string[] | null;
  privacy: { onPii?: PiiAction; capture?: boolean } | null;
  tenant_limits: Limits | null;
  tenant_budgets: Budgets | null;
  cache: TenantCache | null;
}

const COLUMNS = 'id, tenant_id, name, prefix, limits, budgets, expires_at, created_at, last_used_at, revoked_at';

/** `sk-sy-` and 256 random bits: what a tenant key looks like. */
export function newTenantKey(): string {
  return `sk-sy-${randomBytes(32).toString('base64url')}`;
}

/**
 * API keys in PostgreSQL or PGlite, stored as HMAC-SHA-256 digests under the server secret
 * (`SWITCHYARD_SECRET`) with a short display prefix. A key resolves while it is neither revoked
 * nor expired and its tenant is active; a rotated-out secret resolves until its grace ends.
 */
export class SqlKeyStore implements KeyStore, ApiKeys {
  private readonly digest: KeyDigest;

  constructor(
    private readonly db: Database,
    serverSecret: string | Uint8Array,
  ) {
    this.digest = new KeyDigest(serverSecret);
  }

  async resolve(secret: string): Promise<Principal | undefined> {
    const rows = await this.db.query<GrantRow>(
      `SELECT k.id, k.tenant_id, t.name AS tenant_name, k.scopes, k.limits AS key_limits, k.budgets AS key_budgets,
              t.allowed_models, t.privacy, t.limits AS tenant_limits, t.budgets AS tenant_budgets, t.cache
       FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
       WHERE (k.hash = $1 OR (k.previous_hash = $1 AND k.previous_valid_until > now()))
         AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) AND t.status = 'active'`,
      [this.hashOf(secret)],
    );
    return rows.length === 0 ? undefined : toPrincipal(rows[0]);
  }

  /**
   * Registers a key known at start (the admin key) under its own id; its tenant is made when
   * missing. Registering again replaces the secret, so a changed SWITCHYARD_ADMIN_KEY takes over.
   */
  async register(secret: string, principal: Principal): Promise<Principal> {
    if (secret.length === 0) throw new RangeError('An API key cannot be empty.');
    const hash = this.hashOf(secret);
    await this.db.transaction(async (tx) => {
      const holder = await tx.query<{ id: string }>('SELECT id FROM api_keys WHERE hash = $1 OR previous_hash = $1', [hash]);
      if (holder.some((h) => h.id !== principal.keyId)) throw new KeyConflictError();
      await tx.query('INSERT INTO tenants (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING', [principal.tenantId]);
      await tx.query(
        `INSERT INTO api_keys (id, tenant_id, name, hash, prefix, scopes) VALUES ($1, $2, $1, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET tenant_id = $2, hash = $3, prefix = $4, scopes = $5,
           previous_hash = NULL, previous_valid_until = NULL, revoked_at = NULL`,
        [principal.keyId, principal.tenantId, hash, displayPrefix(secret), [...principal.scopes]],
      );
    });
    return storedPrincipal(principal);
  }

  async revoke(keyId: string): Promise<boolean> {
    return (await this.db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [keyId])).length > 0;
  }

  async create(tenantId: string, input: ApiKeyInput): Promise<IssuedKey | undefined> {
    const key = newTenantKey();
    const id = `key_${randomBytes(12).toString('base64url')}`;
    const rows = await this.db.query<KeyRow>(
      `INSERT INTO api_keys (id, tenant_id, name, hash, prefix, limits, budgets, expires_at)
       SELECT $1, t.id, $3, $4, $5, $6, $7, $8 FROM tenants t WHERE t.id = $2 RETURNING ${COLUMNS}`,
      [id, tenantId, input.name, this.hashOf(key), displayPrefix(key), jsonColumn(input.limits), jsonColumn(input.budgets), input.expiresAt ?? null],
    );
    return rows.length === 0 ? undefined : { key, record: toRecord(rows[0]) };
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.db.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return rows.length === 0 ? undefined : toRecord(rows[0]);
  }

  async list(tenantId: string): Promise<ApiKeyRecord[]> {
    return (await this.db.query<KeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY seq`, [tenantId])).map(toRecord);
  }

  async rotate(id: string, graceMs: number): Promise<IssuedKey | undefined> {
    const key = newTenantKey();
    const rows = await this.db.query<KeyRow>(
      `UPDATE api_keys SET previous_hash = CASE WHEN $4::bigint > 0 THEN hash END,
         previous_valid_until = CASE WHEN $4::bigint > 0 THEN now() + $4::bigint * interval '1 millisecond' END,
         hash = $2, prefix = $3
       WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [id, this.hashOf(key), displayPrefix(key), Math.max(0, Math.round(graceMs))],
    );
    return rows.length === 0 ? undefined : { key, record: toRecord(rows[0]) };
  }

  async touch(ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query('UPDATE api_keys SET last_used_at = GREATEST(last_used_at, $2) WHERE id = ANY($1)', [[...ids], at]);
  }

  private hashOf(secret: string): Buffer {
    return Buffer.from(this.digest.of(secret), 'base64url');
  }
}

/** Enough of a key to recognise it, never enough to use it: `sk-sy-` and four characters. */
function displayPrefix(key: string): string {
  return key.startsWith('sk-sy-') ? key.slice(0, 10) : key.slice(0, 4);
}

function toRecord(r: KeyRow): ApiKeyRecord {
  const k: ApiKeyRecord = { id: r.id, tenantId: r.tenant_id, name: r.name, prefix: r.prefix, createdAt: r.created_at.toISOString() };
  if (r.limits !== null) k.limits = r.limits;
  if (r.budgets !== null) k.budgets = r.budgets;
  if (r.expires_at !== null) k.expiresAt = r.expires_at.toISOString();
  if (r.last_used_at !== null) k.lastUsedAt = r.last_used_at.toISOString();
  if (r.revoked_at !== null) k.revokedAt = r.revoked_at.toISOString();
  return k;
}

/** A key's principal, with grants when its tenant or the key itself restricts anything (none: unrestricted). */
function toPrincipal(r: GrantRow): Principal {
  const principal: Principal = { tenantId: r.tenant_id, keyId: r.id, scopes: r.scopes };
  // Rules match tenants by name; the built-in admin tenant's name is its id.
  if (r.tenant_name !== r.tenant_id) principal.tenantName = r.tenant_name;
  const grants: Grants = { limits: {}, budgets: {} };
  let restricted = false;
  const set = <T>(value: T | null | undefined, apply: (v: T) => void): void => {
    if (value === null || value === undefined) return;
    apply(value);
    restricted = true;
  };
  set(r.allowed_models, (v) => (grants.allowedModels = v));
  set(r.privacy?.onPii, (v) => (grants.onPii = v));
  set(r.privacy?.capture || undefined, (v) => (grants.capture = v));
  set(r.tenant_limits, (v) => (grants.limits.tenant = v));
  set(r.key_limits, (v) => (grants.limits.key = v));
  set(r.tenant_budgets, (v) => (grants.budgets.tenant = v));
  set(r.key_budgets, (v) => (grants.budgets.key = v));
  set(r.cache, (v) => (grants.cache = v));
  if (restricted) principal.grants = grants;
  return storedPrincipal(principal);
}
