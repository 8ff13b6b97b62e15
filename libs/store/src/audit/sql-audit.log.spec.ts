import type { Database } from '../sql/database';
import { migrate } from '../sql/migrations';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../sql/test-database';
import { SqlAuditLog } from './sql-audit.log';

describe(`SqlAuditLog on ${testDatabaseName}`, () => {
  let db: Database;
  let audit: SqlAuditLog;

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db);
    audit = new SqlAuditLog(db);
  });
  afterAll(() => closeTestDatabase(db));

  it('records who did what to which target, and hands it back as recorded', async () => {
    const entry = await audit.record({ actor: 'admin', action: 'tenant.create', targetType: 'tenant', targetId: 'tnt_1', detail: { name: 'acme' } });
    expect(entry).toMatchObject({ actor: 'admin', action: 'tenant.create', targetType: 'tenant', targetId: 'tnt_1', detail: { name: 'acme' } });
    expect(entry.id).toMatch(/^\d+$/);
    expect(new Date(entry.at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const bare = await audit.record({ actor: 'admin', action: 'tenant.list', targetType: 'tenant', detail: {} });
    expect(bare).not.toHaveProperty('targetId');
  });

  it('pages newest first, each page continuing before the last id of the one before', async () => {
    for (let i = 0; i < 5; i++) await audit.record({ actor: 'admin', action: `page.${i}`, targetType: 'test', detail: { i } });
    const first = await audit.list({ limit: 3 });
    expect(first.map((e) => e.action)).toEqual(['page.4', 'page.3', 'page.2']);
    const second = await audit.list({ limit: 3, before: first[2].id });
    expect(second.map((e) => e.action)).toEqual(['page.1', 'page.0', 'tenant.list']);
  });
});
