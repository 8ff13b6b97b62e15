import { randomUUID } from 'node:crypto';
import type { Tenant } from '@switchyard/contracts';
import type { Database } from '../sql/database';
import { migrate } from '../sql/migrations';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../sql/test-database';
import { SqlTenantStore } from './sql-tenant.store';
import { TenantConflictError } from './tenant-store';

describe(`SqlTenantStore on ${testDatabaseName}`, () => {
  let db: Database;
  let tenants: SqlTenantStore;
  const name = (what: string) => `${what}-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db);
    tenants = new SqlTenantStore(db);
  });
  afterAll(() => closeTestDatabase(db));

  it('creates a tenant with what it was given and defaults for the rest', async () => {
    const acme = await tenants.create({
      name: name('acme'),
      allowedModels: ['chat*'],
      privacy: { onPii: 'local-only' },
      limits: { rpm: 600, tpm: 200_000 },
      budgets: { dailyUsd: 50, monthlyUsd: 500 },
    });
    expect(acme).toMatchObject({
      status: 'active',
      allowedModels: ['chat*'],
      privacy: { onPii: 'local-only' },
      limits: { rpm: 600, tpm: 200_000 },
      metadata: {},
    });
    expect(acme.id).toMatch(/^tnt_[A-Za-z0-9_-]{16}$/);
    expect(new Date(acme.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await tenants.get(acme.id)).toEqual(acme);
    const bare = await tenants.create({ name: name('bare') });
    expect(Object.keys(bare).sort()).toEqual(['createdAt', 'id', 'metadata', 'name', 'status', 'updatedAt']);
  });

  it('refuses a name already taken, on create and on rename', async () => {
    const taken = name('taken');
    await tenants.create({ name: taken });
    await expect(tenants.create({ name: taken })).rejects.toBeInstanceOf(TenantConflictError);
    const other = await tenants.create({ name: name('other') });
    await expect(tenants.update(other.id, { name: taken })).rejects.toThrow(`"${taken}" already exists`);
  });

  it('patches the fields given, clears those set to null, and leaves the rest', async () => {
    const t = await tenants.create({ name: name('patch'), limits: { rpm: 10 }, budgets: { dailyUsd: 1 }, metadata: { team: 'ml' } });
    const changed = await tenants.update(t.id, { status: 'suspended', limits: { rpm: 20, tpm: 5 }, budgets: null });
    expect(changed).toMatchObject({ status: 'suspended', limits: { rpm: 20, tpm: 5 }, metadata: { team: 'ml' } });
    expect(changed?.budgets).toBeUndefined();
    expect(changed!.updatedAt >= t.updatedAt).toBe(true);
    expect(await tenants.update(t.id, {})).toEqual(changed);
    expect(await tenants.update(`tnt_${randomUUID()}`, { status: 'active' })).toBeUndefined();
  });

  it('lists oldest first, a page at a time', async () => {
    const made: Tenant[] = [];
    for (let i = 0; i < 5; i++) made.push(await tenants.create({ name: name(`page${i}`) }));
    const all = await tenants.list({ limit: 1000 });
    const ids = all.map((t) => t.id);
    const mine = ids.filter((id) => made.some((m) => m.id === id));
    expect(mine).toEqual(made.map((m) => m.id));
    const first = await tenants.list({ limit: 2 });
    const second = await tenants.list({ limit: 2, after: first[1].id });
    expect([...first, ...second].map((t) => t.id)).toEqual(ids.slice(0, 4));
  });

  it('deletes a tenant with its keys', async () => {
    const t = await tenants.create({ name: name('gone') });
    await db.query("INSERT INTO api_keys (id, tenant_id, name, hash, prefix) VALUES ($1, $2, 'ci', $3, 'sk-sy-ab')", [
      `key_${randomUUID()}`,
      t.id,
      Buffer.from(randomUUID()),
    ]);
    expect(await tenants.delete(t.id)).toBe(true);
    expect(await tenants.get(t.id)).toBeUndefined();
    expect(await db.query('SELECT 1 FROM api_keys WHERE tenant_id = $1', [t.id])).toEqual([]);
    expect(await tenants.delete(t.id)).toBe(false);
  });
});
