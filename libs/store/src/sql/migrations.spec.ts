import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from './database';
import { migrate, MIGRATIONS } from './migrations';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from './test-database';

const latest = MIGRATIONS[MIGRATIONS.length - 1].version;

describe(`migrations on ${testDatabaseName}`, () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => closeTestDatabase(db));

  it('apply every migration once, even when several replicas start together', async () => {
    const runs = await Promise.all([migrate(db), migrate(db), migrate(db)]);
    expect(runs.flat().sort()).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await migrate(db)).toEqual([]);
    const recorded = await db.query<{ version: number }>('SELECT version FROM switchyard_migrations ORDER BY version');
    expect(recorded.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('create the tables the store uses, in its own schema', async () => {
    const tables = await db.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [
      db.schema,
    ]);
    expect(tables.map((t) => t.table_name)).toEqual([
      'api_keys',
      'audit_log',
      'provider_credentials',
      'request_captures',
      'semantic_cache',
      'switchyard_migrations',
      'tenants',
      'usage_hourly',
      'usage_ledger',
    ]);
  });

  it('roll back a failing migration whole, recording nothing', async () => {
    const broken = { version: latest + 1, name: 'broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();' };
    await expect(migrate(db, [...MIGRATIONS, broken])).rejects.toThrow(/no_such_function/);
    const half = await db.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [db.schema, 'half_done']);
    expect(half).toEqual([]);
    expect(await db.query('SELECT 1 FROM switchyard_migrations WHERE version = $1', [latest + 1])).toEqual([]);
  });
});

describe('embedded PGlite under the data dir', () => {
  it('keeps its data across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-data-'));
    const first = await openDatabase({ dataDir });
    expect(await migrate(first)).toEqual(MIGRATIONS.map((m) => m.version));
    await first.query("INSERT INTO tenants (id, name) VALUES ('t1', 'acme')");
    await first.close();
    const second = await openDatabase({ dataDir });
    try {
      expect(await migrate(second)).toEqual([]);
      expect(await second.query("SELECT name FROM tenants WHERE id = 't1'")).toEqual([{ name: 'acme' }]);
    } finally {
      await second.close();
    }
    // Two embedded starts from disk: seconds each, more on a loaded machine.
  }, 90_000);

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(openDatabase({ schema: 'x; DROP TABLE tenants' })).rejects.toThrow(/schema/);
  });
});
