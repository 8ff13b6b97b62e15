import { Worker } from 'node:worker_threads';
import type { Queryable } from './database';

/**
 * Embedded PGlite on a worker thread of its own. PGlite runs PostgreSQL as WebAssembly, and a
 * statement holds whatever thread runs it: a ledger batch of a few hundred rows held the event
 * loop for tens of milliseconds, which every stream then saw between two chunks. On its own
 * thread it holds nothing but itself; statements and their rows cross as structured clones.
 */

/** The worker's code, run from a string: the same in the build and under ts-jest, which has no .js file to point at. */
const WORKER_CODE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
// Paths resolved by the module that starts the thread (an eval'd worker resolves from the cwd).
const { PGlite } = require(workerData.modules.pglite);
const { vector } = require(workerData.modules.vector);
const db = new PGlite({ dataDir: workerData.dataDir, postgresqlconf: 'shared_buffers=16MB', extensions: { vector } });
const txs = new Map();
const errorOf = (err) => {
  const out = { message: err && err.message !== undefined ? String(err.message) : String(err) };
  for (const k of ['code', 'detail', 'hint', 'constraint', 'table', 'column', 'schema']) if (err && err[k] !== undefined) out[k] = String(err[k]);
  return out;
};
const on = (m) => (m.tx === undefined ? db : txs.get(m.tx).tx);
const ops = {
  open: async (m) => { await db.waitReady; await db.exec(m.sql); },
  query: async (m) => (await on(m).query(m.sql, m.params)).rows,
  exec: async (m) => { await on(m).exec(m.sql); },
  begin: (m) => new Promise((begun, failed) => {
    // PGlite's own transaction: its lock keeps every other statement out until it ends.
    db.transaction((tx) => new Promise((commit, rollback) => {
      txs.set(m.tx, { tx, commit, rollback });
      begun();
    })).then(
      () => { const t = txs.get(m.tx); txs.delete(m.tx); t.ended({ id: t.endId }); },
      (err) => { const t = txs.get(m.tx); txs.delete(m.tx); if (t) t.ended(t.rolledBack ? { id: t.endId } : { id: t.endId, error: errorOf(err) }); else failed(err); },
    );
  }),
  end: (m) => new Promise((resolve) => {
    const t = txs.get(m.tx);
    t.endId = m.id;
    t.ended = (reply) => parentPort.postMessage(reply);
    if (m.commit) t.commit();
    else { t.rolledBack = true; t.rollback(new Error('rolled back')); }
    resolve(undefined);
  }),
  close: async () => { await db.close(); },
};
parentPort.on('message', (m) => {
  ops[m.op](m).then(
    (value) => { if (m.op !== 'end') parentPort.postMessage({ id: m.id, value }); },
    (err) => parentPort.postMessage({ id: m.id, error: errorOf(err) }),
  );
});
`;

/** PGlite's entry point as this package resolves it: the thread and `initDataDir`'s child both load this file. */
export const PGLITE_MODULE = require.resolve('@electric-sql/pglite');

interface Reply {
  id: number;
  value?: unknown;
  error?: { message: string } & Record<string, string>;
}

interface Request {
  op: 'open' | 'query' | 'exec' | 'begin' | 'end' | 'close';
  sql?: string;
  params?: readonly unknown[];
  tx?: number;
  commit?: boolean;
}

export class PgliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private nextTx = 1;
  private failure?: Error;

  constructor(dataDir: string | undefined) {
    this.worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: { dataDir, modules: { pglite: PGLITE_MODULE, vector: require.resolve('@electric-sql/pglite-pgvector') } },
    });
    // Idle, it does not keep the process alive; a statement in flight does (see `call`).
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the embedded database's thread exited (code ${code})`)));
  }

  /** Starts PGlite and runs `init` (the schema and search path) before anything else. */
  open(init: string): Promise<void> {
    return this.call({ op: 'open', sql: init }) as Promise<void>;
  }

  query<R>(sql: string, params?: readonly unknown[], tx?: number): Promise<R[]> {
    return this.call({ op: 'query', sql, params, tx }) as Promise<R[]>;
  }

  async exec(sql: string, tx?: number): Promise<void> {
    await this.call({ op: 'exec', sql, tx });
  }

  /** Runs `fn` inside one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const tx = this.nextTx++;
    await this.call({ op: 'begin', tx });
    let result: T;
    try {
      result = await fn({
        query: <R extends object>(sql: string, params?: readonly unknown[]) => this.query<R>(sql, params, tx),
        exec: (sql: string) => this.exec(sql, tx),
      });
    } catch (err) {
      await this.call({ op: 'end', tx, commit: false });
      throw err;
    }
    await this.call({ op: 'end', tx, commit: true });
    return result;
  }

  async close(): Promise<void> {
    if (this.failure === undefined) await this.call({ op: 'close' });
    this.failure ??= new Error('the embedded database is closed');
    await this.worker.terminate();
  }

  private call(request: Request): Promise<unknown> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...request });
    });
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    if (waiter === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.error === undefined) waiter.resolve(reply.value);
    else waiter.reject(Object.assign(new Error(reply.error.message), reply.error));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }
}
