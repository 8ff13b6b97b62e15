import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Pool, type PoolClient } from 'pg';
import { PGLITE_MODULE, PgliteThread } from './pglite-thread';

/** What a query runs on: the database, or one connection inside a transaction. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Several statements in one go, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * PostgreSQL, reached through `pg` when `DATABASE_URL` is set, else embedded PGlite under the data
 * dir: the same SQL and the same migrations run on both. `schema` keeps a deployment (or a test)
 * in its own namespace.
 */
export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  readonly schema: string;
  /** Runs `fn` on one connection between BEGIN and COMMIT (ROLLBACK when it throws). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://…`; unset: embedded PGlite. */
  url?: string;
  /** Where PGlite keeps its files (`<dataDir>/pglite`); unset with no url: in memory. */
  dataDir?: string;
  /** Default `public`. Created when missing. */
  schema?: string;
  /** Connections in the pool (PostgreSQL only). */
  poolSize?: number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const schema = options.schema ?? 'public';
  if (!IDENTIFIER.test(schema)) throw new Error(`database schema must be a lower-case SQL identifier (got ${JSON.stringify(schema)})`);
  const db =
    options.url !== undefined ? await PostgresDatabase.open(options.url, schema, options.poolSize ?? 10) : await PgliteDatabase.open(options.dataDir, schema);
  return db;
}

class PostgresDatabase implements Database {
  readonly kind = 'postgres';

  private constructor(
    private readonly pool: Pool,
    readonly schema: string,
  ) {}

  static async open(url: string, schema: string, max: number): Promise<PostgresDatabase> {
    // Every pooled connection starts in the schema, so no statement has to name it.
    const pool = new Pool({ connectionString: url, max, options: `-c search_path=${schema}` });
    // An idle connection the server drops must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    return new PostgresDatabase(pool, schema);
  }

  async query<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return (await this.pool.query<R>(sql, params as unknown[] | undefined)).rows;
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(clientQueryable(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

function clientQueryable(client: PoolClient): Queryable {
  return {
    query: async <R extends object>(sql: string, params?: readonly unknown[]) => (await client.query<R>(sql, params as unknown[] | undefined)).rows,
    exec: async (sql: string) => void (await client.query(sql)),
  };
}

/**
 * Creates a new data dir in a short-lived child process. PGlite's initdb leaves ~400 MB of wasm
 * memory behind in the process that ran it (a first start sat at 450–700 MB RSS, a restart at
 * ~170 MB); the child takes that with it when it exits.
 */
async function initDataDir(dir: string): Promise<void> {
  const code = `const { PGlite } = require(process.argv[1]);
(async () => { const db = new PGlite({ dataDir: process.argv[2] }); await db.waitReady; await db.close(); })()
  .catch((err) => { console.error(err); process.exit(1); });`;
  await promisify(execFile)(process.execPath, ['-e', code, PGLITE_MODULE, dir], { timeout: 120_000 });
}

class PgliteDatabase implements Database {
  readonly kind = 'pglite';

  private constructor(
    private readonly db: PgliteThread,
    readonly schema: string,
  ) {}

  static async open(dataDir: string | undefined, schema: string): Promise<PgliteDatabase> {
    let dir: string | undefined;
    if (dataDir !== undefined) {
      dir = join(dataDir, 'pglite');
      mkdirSync(dir, { recursive: true });
      if (!existsSync(join(dir, 'PG_VERSION'))) await initDataDir(dir);
    }
    // On a thread of its own, with a small buffer pool (the embedded database holds tenants, keys
    // and the ledger, not analytics) and pgvector, so the semantic cache's migration finds a real
    // vector type. One connection: the search path set now holds for every later statement.
    const db = new PgliteThread(dir);
    try {
      await db.open(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}`);
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
    return new PgliteDatabase(db, schema);
  }

  query<R extends object>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return this.db.query<R>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.db.exec(sql);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** A value for a jsonb column: its JSON, or SQL NULL for an absent (or null) one. */
export function jsonColumn(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
