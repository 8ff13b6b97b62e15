import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../sql/database';
import { migrate } from '../sql/migrations';
import { describeSemanticIndexContract } from './semantic-index.contract.mock';
import { SqlSemanticIndex } from './sql-semantic.index';

// Needs a real PostgreSQL as well as the embedded one: DATABASE_URL, or the local default. Without one this suite fails, saying so.
const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemaName = () => `sy_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
const axis = (i: number, dims = 8) => Array.from({ length: dims }, (_, j) => (j === i ? 1 : 0));

async function embeddingType(db: Database): Promise<string> {
  const rows = await db.query<{ type: string }>(
    `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = to_regclass('semantic_cache') AND attname = 'embedding'`,
  );
  return rows[0].type;
}

describe('SqlSemanticIndex on embedded PGlite (pgvector)', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ schema: schemaName() });
    await migrate(db);
    // An embedded start takes seconds, more on a loaded machine.
  }, 90_000);
  afterAll(() => db.close());

  it('keeps vectors in a pgvector column, with no fixed dimension', async () => {
    expect((await SqlSemanticIndex.open(db)).mode).toBe('pgvector');
    expect(await embeddingType(db)).toMatch(/(^|\.)vector$/);
  });

  describeSemanticIndexContract('SqlSemanticIndex on PGlite', () => SqlSemanticIndex.open(db));

  it('finds its vectors again after a restart from the data dir (pgvector loaded each start)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-semantic-'));
    const first = await openDatabase({ dataDir });
    await migrate(first);
    await (await SqlSemanticIndex.open(first)).add({ tenantId: 't', model: 'chat', scope: 's', key: 'k', vector: axis(2) }, 600_000);
    await first.close();
    const second = await openDatabase({ dataDir });
    try {
      const index = await SqlSemanticIndex.open(second);
      expect(index.mode).toBe('pgvector');
      expect(await index.nearest({ tenantId: 't', scope: 's', vector: axis(2), minScore: 0.99 })).toEqual({ key: 'k', score: expect.closeTo(1, 5) });
    } finally {
      await second.close();
    }
    // Two embedded starts from disk: seconds each, more on a loaded machine.
  }, 90_000);
});

describe(`SqlSemanticIndex on PostgreSQL (${new URL(PG_URL).host})`, () => {
  let db: Database;
  let offered: boolean;
  beforeAll(async () => {
    try {
      db = await openDatabase({ url: PG_URL, schema: schemaName(), poolSize: 4 });
    } catch (err) {
      throw new Error(`These specs need PostgreSQL at ${new URL(PG_URL).host} (set DATABASE_URL): ${(err as Error).message}`);
    }
    offered = (await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`)).length > 0;
    await migrate(db);
  });
  afterAll(async () => {
    await db.exec(`DROP SCHEMA IF EXISTS ${db.schema} CASCADE`);
    await db.close();
  });

  it('uses pgvector when the server offers it, and a real[] column with a scan when not', async () => {
    const index = await SqlSemanticIndex.open(db);
    expect(index.mode).toBe(offered ? 'pgvector' : 'scan');
    expect(await embeddingType(db)).toMatch(offered ? /(^|\.)vector$/ : /^real\[\]$/);
  });

  it('in scan mode compares only the newest rows of a scope (maxScanRows); pgvector compares all', async () => {
    const index = await SqlSemanticIndex.open(db, { maxScanRows: 3 });
    const tenantId = `t-${randomUUID()}`;
    const entry = (key: string, i: number) => ({ tenantId, model: 'chat', scope: 's', key, vector: axis(i) });
    await index.add(entry('old', 0), 60_000);
    // Rows written in later statements: a later created_at (now() is each statement's start).
    for (const [i, key] of ['b', 'c', 'd'].entries()) await index.add(entry(key, i + 1), 60_000);
    const found = await index.nearest({ tenantId, scope: 's', vector: axis(0), minScore: 0.99 });
    expect(found?.key).toBe(index.mode === 'scan' ? undefined : 'old');
    expect((await index.nearest({ tenantId, scope: 's', vector: axis(3), minScore: 0.99 }))?.key).toBe('d');
  });

  it('refuses to open on a database without its migrations', async () => {
    const bare = await openDatabase({ url: PG_URL, schema: schemaName(), poolSize: 1 });
    try {
      await expect(SqlSemanticIndex.open(bare)).rejects.toThrow(/needs its migrations/);
    } finally {
      await bare.exec(`DROP SCHEMA IF EXISTS ${bare.schema} CASCADE`);
      await bare.close();
    }
  });

  describeSemanticIndexContract('SqlSemanticIndex on PostgreSQL', () => SqlSemanticIndex.open(db));
});
