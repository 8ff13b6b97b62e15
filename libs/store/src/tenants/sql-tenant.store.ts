import { randomBytes } from 'node:crypto';
import type { Tenant, TenantInput, TenantPatch } from '@switchyard/contracts';
import { jsonColumn, type Database } from '../sql/database';
import { TenantConflictError, type TenantStore } from './tenant-store';

interface TenantRow {
  id: string;
  name: string;
  status: Tenant['status'];
  allowed_models: string[] | null;
  privacy: Tenant['privacy'] | null;
  limits: Tenant['limits'] | null;
  budgets: Tenant['budgets'] | null;
  cache: Tenant['cache'] | null;
  metadata: Record<string, string>;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, status, allowed_models, privacy, limits, budgets, cache, metadata, created_at, updated_at';

/** Columns a patch may set, and how each field is stored. */
const PATCHABLE: Record<keyof TenantPatch, { column: string; json: boolean }> = {
  name: { column: 'name', json: false },
  status: { column: 'status', json: false },
  allowedModels: { column: 'allowed_models', json: false },
  privacy: { column: 'privacy', json: true },
  limits: { column: 'limits', json: true },
  budgets: { column: 'budgets', json: true },
  cache: { column: 'cache', json: true },
  metadata: { column: 'metadata', json: true },
};

/** Tenants in PostgreSQL or PGlite (the same SQL). */
export class SqlTenantStore implements TenantStore {
  constructor(private readonly db: Database) {}

  async create(input: TenantInput): Promise<Tenant> {
    const id = `tnt_${randomBytes(12).toString('base64url')}`;
    const rows = await this.conflictAs(input.name, () =>
      this.db.query<TenantRow>(
        `INSERT INTO tenants (id, name, status, allowed_models, privacy, limits, budgets, cache, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
        [
          id,
          input.name,
          input.status ?? 'active',
          input.allowedModels ?? null,
          jsonColumn(input.privacy),
          jsonColumn(input.limits),
          jsonColumn(input.budgets),
          jsonColumn(input.cache),
          JSON.stringify(input.metadata ?? {}),
        ],
      ),
    );
    return toTenant(rows[0]);
  }

  async get(id: string): Promise<Tenant | undefined> {
    const rows = await this.db.query<TenantRow>(`SELECT ${COLUMNS} FROM tenants WHERE id = $1`, [id]);
    return rows.length === 0 ? undefined : toTenant(rows[0]);
  }

  async list(page: { limit?: number; after?: string } = {}): Promise<Tenant[]> {
    const limit = Math.min(Math.max(page.limit ?? 100, 1), 1000);
    const rows =
      page.after === undefined
        ? await this.db.query<TenantRow>(`SELECT ${COLUMNS} FROM tenants ORDER BY seq LIMIT $1`, [limit])
        : await this.db.query<TenantRow>(`SELECT ${COLUMNS} FROM tenants WHERE seq > (SELECT seq FROM tenants WHERE id = $2) ORDER BY seq LIMIT $1`, [
            limit,
            page.after,
          ]);
    return rows.map(toTenant);
  }

  async update(id: string, patch: TenantPatch): Promise<Tenant | undefined> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const [field, value] of Object.entries(patch) as [keyof TenantPatch, unknown][]) {
      const target = PATCHABLE[field];
      if (target === undefined || value === undefined) continue;
      params.push(target.json ? jsonColumn(value) : value);
      sets.push(`${target.column} = $${params.length}`);
    }
    if (sets.length === 0) return this.get(id);
    const run = () => this.db.query<TenantRow>(`UPDATE tenants SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, params);
    const rows = patch.name === undefined ? await run() : await this.conflictAs(patch.name, run);
    return rows.length === 0 ? undefined : toTenant(rows[0]);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM tenants WHERE id = $1 RETURNING id', [id])).length > 0;
  }

  /** A unique violation on the name becomes TenantConflictError. */
  private async conflictAs<T>(name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new TenantConflictError(name);
      throw err;
    }
  }
}

function toTenant(r: TenantRow): Tenant {
  const t: Tenant = {
    id: r.id,
    name: r.name,
    status: r.status,
    metadata: r.metadata,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
  if (r.allowed_models !== null) t.allowedModels = r.allowed_models;
  if (r.privacy !== null) t.privacy = r.privacy;
  if (r.limits !== null) t.limits = r.limits;
  if (r.budgets !== null) t.budgets = r.budgets;
  if (r.cache !== null) t.cache = r.cache;
  return t;
}
