import { openDatabase, type Database, type DatabaseOptions, type Queryable } from './database';
import { migrate } from './migrations';

/**
 * A Database opened and migrated on its first query: a gateway whose callers only ever use the
 * admin key never starts one (embedded PGlite costs seconds and hundreds of MB when it starts). A
 * failed open is retried on the next query.
 */
export class LazyDatabase implements Database {
  readonly kind: Database['kind'];
  readonly schema: string;
  private opening?: Promise<Database>;

  constructor(private readonly options: DatabaseOptions) {
    this.kind = options.url !== undefined ? 'postgres' : 'pglite';
    this.schema = options.schema ?? 'public';
  }

  /** Whether it has been opened (or is opening). */
  get started(): boolean {
    return this.opening !== undefined;
  }

  async query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    return (await this.open()).query<R>(sql, params);
  }

  async exec(sql: string): Promise<void> {
    await (await this.open()).exec(sql);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return (await this.open()).transaction(fn);
  }

  async close(): Promise<void> {
    const db = await this.opening?.catch(() => undefined);
    this.opening = undefined;
    await db?.close();
  }

  private open(): Promise<Database> {
    this.opening ??= (async () => {
      const db = await openDatabase(this.options);
      let applied: number[];
      try {
        applied = await migrate(db);
      } catch (err) {
        await db.close();
        throw err;
      }
      if (applied.length === 0 || this.kind !== 'pglite' || this.options.dataDir === undefined) return db;
      // PGlite's WebAssembly memory never shrinks, and creating the schema grows it by some 60 MB
      // the gateway never needs again: a fresh start from the files it has just written does not.
      await db.close();
      return openDatabase(this.options);
    })().catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }
}
