import { randomUUID } from 'node:crypto';
import type { Database } from '../sql/database';
import { migrate } from '../sql/migrations';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../sql/test-database';
import { SqlTenantStore } from '../tenants/sql-tenant.store';
import { CredentialUnreadableError } from './credential-store';
import { SqlCredentialStore } from './sql-credential.store';

const SECRET = 'server-secret-for-credentials-0123456789';
const KEY_A = 'sk-proj-tenant-a-0123456789abcdefWXYZ';
const KEY_B = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe(`SqlCredentialStore on ${testDatabaseName}`, () => {
  let db: Database;
  let tenants: SqlTenantStore;
  let store: SqlCredentialStore;
  const tenant = async () => (await tenants.create({ name: `t-${randomUUID().slice(0, 8)}` })).id;

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db);
    tenants = new SqlTenantStore(db);
    store = new SqlCredentialStore(db, SECRET);
  });
  afterAll(() => closeTestDatabase(db));

  it('stores a key encrypted, shows only its hint, and gives it back only to keysOf', async () => {
    const a = await tenant();
    const set = await store.set(a, 'openai', KEY_A);
    expect(set).toEqual({ tenantId: a, backend: 'openai', hint: 'sk-proj-…WXYZ', updatedAt: expect.any(String) });
    expect(JSON.stringify(await store.list(a))).not.toContain(KEY_A);
    expect(await store.list(a)).toEqual([set]);
    expect(await store.keysOf(a)).toEqual(new Map([['openai', KEY_A]]));
    const [row] = await db.query<{ ciphertext: Uint8Array }>('SELECT ciphertext FROM provider_credentials WHERE tenant_id = $1', [a]);
    expect(Buffer.from(row.ciphertext).toString('latin1')).not.toContain(KEY_A.slice(8));
  });

  it("keeps each tenant's keys its own, replaces one, and deletes one", async () => {
    const a = await tenant();
    const b = await tenant();
    await store.set(a, 'openai', KEY_A);
    await store.set(b, 'anthropic', KEY_B);
    expect(await store.keysOf(a)).toEqual(new Map([['openai', KEY_A]]));
    expect(await store.keysOf(b)).toEqual(new Map([['anthropic', KEY_B]]));
    await store.set(a, 'openai', KEY_B);
    expect((await store.keysOf(a)).get('openai')).toBe(KEY_B);
    expect(await store.delete(a, 'openai')).toBe(true);
    expect(await store.delete(a, 'openai')).toBe(false);
    expect((await store.keysOf(a)).size).toBe(0);
    expect((await store.keysOf(b)).size).toBe(1);
  });

  it('stores nothing for an unknown tenant, and forgets a deleted tenant’s keys', async () => {
    expect(await store.set('tnt_nobody', 'openai', KEY_A)).toBeUndefined();
    const a = await tenant();
    await store.set(a, 'openai', KEY_A);
    await tenants.delete(a);
    expect(await store.list(a)).toEqual([]);
  });

  it('refuses to read a key under another server secret, or a ciphertext moved to another row', async () => {
    const a = await tenant();
    const b = await tenant();
    await store.set(a, 'openai', KEY_A);
    await expect(new SqlCredentialStore(db, 'another-secret-0123456789').keysOf(a)).rejects.toBeInstanceOf(CredentialUnreadableError);
    await db.query(
      `INSERT INTO provider_credentials (tenant_id, backend, ciphertext, hint)
       SELECT $2, backend, ciphertext, hint FROM provider_credentials WHERE tenant_id = $1`,
      [a, b],
    );
    await expect(store.keysOf(b)).rejects.toThrow(/cannot be decrypted/);
  });
});
