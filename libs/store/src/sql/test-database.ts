import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from './database';

/**
 * For specs: the real PostgreSQL when `DATABASE_URL` is set (in a schema of its own, dropped
 * afterwards, so parallel and repeated runs never collide), else embedded PGlite in memory.
 */
export async function openTestDatabase(): Promise<Database> {
  const url = process.env.DATABASE_URL;
  const schema = `sy_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  return url ? openDatabase({ url, schema, poolSize: 4 }) : openDatabase({ schema });
}

/** Drops a PostgreSQL test schema, then closes. */
export async function closeTestDatabase(db: Database): Promise<void> {
  if (db.kind === 'postgres') await db.exec(`DROP SCHEMA IF EXISTS ${db.schema} CASCADE`);
  await db.close();
}

/** The name specs show, so a run says which database it used. */
export const testDatabaseName = process.env.DATABASE_URL ? `PostgreSQL (${new URL(process.env.DATABASE_URL).host})` : 'embedded PGlite';
