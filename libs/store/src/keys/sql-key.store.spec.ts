import { randomBytes, randomUUID } from 'node:crypto';
import { ADMIN_PRINCIPAL } from '@switchyard/contracts';
import type { Database } from '../sql/database';
import { migrate } from '../sql/migrations';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../sql/test-database';
import { SqlTenantStore } from '../tenants/sql-tenant.store';
import { describeKeyStoreContract } from './key-store.contract.mock';
import { SqlKeyStore } from './sql-key.store';

let db: Database;
const secret = randomBytes(32);
beforeAll(async () => {
  db = await openTestDatabase();
  await migrate(db);
});
afterAll(() => closeTestDatabase(db));

describeKeyStoreContract(`SqlKeyStore on ${testDatabaseName}`, () => new SqlKeyStore(db, secret));

describe(`SqlKeyStore tenant keys on ${testDatabaseName}`, () => {
  let keys: SqlKeyStore;
  let tenants: SqlTenantStore;
  const tenant = () => tenants.create({ name: `acme-${randomUUID().slice(0, 8)}` });
  beforeAll(() => {
    keys = new SqlKeyStore(db, secret);
    tenants = new SqlTenantStore(db);
  });

  it('issues sk-sy- keys of 256 random bits, shown once, stored only as a keyed hash and a prefix', async () => {
    const t = await tenant();
    const issued = await keys.create(t.id, { name: 'ci', limits: { rpm: 5 } });
    expect(issued?.key).toMatch(/^sk-sy-[A-Za-z0-9_-]{43}$/);
    expect(issued?.record).toMatchObject({ tenantId: t.id, name: 'ci', prefix: issued!.key.slice(0, 10), limits: { rpm: 5 } });
    expect(JSON.stringify(issued?.record)).not.toContain(issued!.key.slice(10));
    const stored = await db.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [issued!.record.id]);
    expect(JSON.stringify(stored)).not.toContain(issued!.key.slice(10));
    expect(await keys.resolve(issued!.key)).toEqual({
      tenantId: t.id,
      tenantName: t.name,
      keyId: issued!.record.id,
      scopes: ['inference'],
      grants: { limits: { key: { rpm: 5 } }, budgets: {} },
    });
    expect(await keys.get(issued!.record.id)).toEqual(issued!.record);
    expect(await keys.create(`tnt_${randomUUID()}`, { name: 'nobody' })).toBeUndefined();
  });

  it("resolves a key with its tenant's allow-list, privacy stance, limits and budgets, and its own", async () => {
    const t = await tenants.create({
      name: `granted-${randomUUID().slice(0, 8)}`,
      allowedModels: ['chat*'],
      privacy: { onPii: 'redact' },
      limits: { rpm: 600, tpm: 200_000 },
      budgets: { monthlyUsd: 500 },
    });
    const k = await keys.create(t.id, { name: 'ci', limits: { rpm: 60 }, budgets: { dailyUsd: 5 } });
    expect((await keys.resolve(k!.key))?.grants).toEqual({
      allowedModels: ['chat*'],
      onPii: 'redact',
      limits: { tenant: { rpm: 600, tpm: 200_000 }, key: { rpm: 60 } },
      budgets: { tenant: { monthlyUsd: 500 }, key: { dailyUsd: 5 } },
    });
    await tenants.update(t.id, { allowedModels: null, limits: null, budgets: null, privacy: null });
    expect((await keys.resolve(k!.key))?.grants).toEqual({ limits: { key: { rpm: 60 } }, budgets: { key: { dailyUsd: 5 } } });
  });

  it('lists a tenant its own keys only, oldest first', async () => {
    const [a, b] = [await tenant(), await tenant()];
    const a1 = await keys.create(a.id, { name: 'one' });
    const a2 = await keys.create(a.id, { name: 'two' });
    await keys.create(b.id, { name: 'other' });
    expect((await keys.list(a.id)).map((k) => k.id)).toEqual([a1!.record.id, a2!.record.id]);
  });

  it('stops resolving a revoked key, an expired key and the keys of a suspended tenant', async () => {
    const t = await tenant();
    const revoked = await keys.create(t.id, { name: 'revoked' });
    const expired = await keys.create(t.id, { name: 'expired', expiresAt: new Date(Date.now() - 1000) });
    const live = await keys.create(t.id, { name: 'live', expiresAt: new Date(Date.now() + 3_600_000) });
    expect(await keys.revoke(revoked!.record.id)).toBe(true);
    expect(await keys.resolve(revoked!.key)).toBeUndefined();
    expect((await keys.get(revoked!.record.id))?.revokedAt).toBeDefined();
    expect(await keys.resolve(expired!.key)).toBeUndefined();
    expect(await keys.resolve(live!.key)).toBeDefined();
    await tenants.update(t.id, { status: 'suspended' });
    expect(await keys.resolve(live!.key)).toBeUndefined();
    await tenants.update(t.id, { status: 'active' });
    expect(await keys.resolve(live!.key)).toBeDefined();
  });

  it('rotates: the new secret resolves, the old one only within its grace', async () => {
    const t = await tenant();
    const first = await keys.create(t.id, { name: 'rotating' });
    const graced = await keys.rotate(first!.record.id, 60_000);
    expect(graced!.key).not.toBe(first!.key);
    expect(graced!.record.prefix).toBe(graced!.key.slice(0, 10));
    expect(await keys.resolve(graced!.key)).toMatchObject({ keyId: first!.record.id });
    expect(await keys.resolve(first!.key)).toMatchObject({ keyId: first!.record.id });
    const immediate = await keys.rotate(first!.record.id, 0);
    expect(await keys.resolve(graced!.key)).toBeUndefined();
    expect(await keys.resolve(first!.key)).toBeUndefined();
    expect(await keys.resolve(immediate!.key)).toBeDefined();
    await keys.revoke(first!.record.id);
    expect(await keys.rotate(first!.record.id, 0)).toBeUndefined();
  });

  it('stamps last use, never moving it back', async () => {
    const t = await tenant();
    const k = await keys.create(t.id, { name: 'used' });
    const later = new Date(Date.now() + 5000);
    await keys.touch([k!.record.id], later);
    await keys.touch([k!.record.id], new Date(Date.now() - 5000));
    expect((await keys.get(k!.record.id))?.lastUsedAt).toBe(later.toISOString());
  });

  it('registers the admin key under the built-in admin tenant, and a changed admin key replaces it', async () => {
    await keys.register('sy-admin-first', ADMIN_PRINCIPAL);
    expect(await keys.resolve('sy-admin-first')).toEqual(ADMIN_PRINCIPAL);
    await keys.register('sy-admin-second', ADMIN_PRINCIPAL);
    expect(await keys.resolve('sy-admin-first')).toBeUndefined();
    expect(await keys.resolve('sy-admin-second')).toEqual(ADMIN_PRINCIPAL);
    expect((await tenants.get('admin'))?.name).toBe('admin');
  });

  it('finds nothing with another server secret', async () => {
    const t = await tenant();
    const k = await keys.create(t.id, { name: 'peppered' });
    expect(await new SqlKeyStore(db, randomBytes(32)).resolve(k!.key)).toBeUndefined();
  });
});
