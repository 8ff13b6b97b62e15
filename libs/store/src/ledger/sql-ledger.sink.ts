import type { RequestOutcome } from '@switchyard/contracts';
import type { Database } from '../sql/database';
import { LedgerPartitions } from './ledger-partitions';
import { dayKey, LEDGER_COLUMN_TYPES, LEDGER_COLUMNS, toLedgerRow, unrecordable } from './ledger-record.mapper';
import { LedgerClosedError, type LedgerSink, type LedgerStats } from './ledger-sink';
import { LedgerSpool } from './ledger-spool';

/** The logger shape the sink needs (pino's). */
export interface LedgerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SqlLedgerSinkOptions {
  /** Where records wait while the database is unreachable: `<dataDir>/ledger-spool`. */
  spoolDir: string;
  log: LedgerLog;
  /** Longest a record waits in memory before its batch is written. Default 1000. */
  flushMs?: number;
  /** Records per insert: a batch is written as soon as this many wait. Default 500. */
  batchSize?: number;
  /** Days raw records and hourly rollups are kept. Default 90. */
  retentionDays?: number;
  /** Longest one write may take before the database counts as unreachable. Default 15 s. */
  attemptTimeoutMs?: number;
  /** How often retention runs after the first time. Default daily. */
  maintenanceMs?: number;
  /** The clock partitions and retention go by (specs move it). */
  now?: () => number;
}

const MIN_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5_000;
const TRANSIENT_ATTEMPTS = 3;

/**
 * One statement per batch: the rows go in (a replayed record, same request id and time, is
 * skipped), and only the rows actually inserted are added to the hourly rollups, so the rollups
 * stay exact however often a record is replayed. A record without a reference cost counts its own
 * cost there (no savings rather than a made-up loss).
 */
const INSERT = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(${LEDGER_COLUMN_TYPES.map(([name, type]) => `${name} ${type}`).join(', ')})
), kept AS (
  INSERT INTO usage_ledger (${LEDGER_COLUMNS}) SELECT ${LEDGER_COLUMNS} FROM input
  ON CONFLICT DO NOTHING
  RETURNING created_at, tenant_id, key_id, model, backend, tier, status, input_tokens, output_tokens, cost_usd, reference_cost_usd,
            cache, cache_saved_usd
), rolled AS (
  INSERT INTO usage_hourly AS h (hour, tenant_id, key_id, model, backend, tier, requests, errors, input_tokens, output_tokens,
                                 cost_usd, reference_cost_usd, local_requests, local_tokens, cache_hits, cache_saved_usd)
  SELECT date_trunc('hour', created_at, 'UTC'), coalesce(tenant_id, ''), coalesce(key_id, ''), coalesce(model, ''),
         coalesce(backend, ''), coalesce(tier, ''),
         count(*), count(*) FILTER (WHERE status >= 400),
         coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
         coalesce(sum(cost_usd), 0), coalesce(sum(coalesce(reference_cost_usd, cost_usd)), 0),
         count(*) FILTER (WHERE tier = 'local'),
         coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) FILTER (WHERE tier = 'local'), 0),
         count(*) FILTER (WHERE cache IN ('hit', 'semantic')), coalesce(sum(cache_saved_usd), 0)
  FROM kept
  GROUP BY 1, 2, 3, 4, 5, 6
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (hour, tenant_id, key_id, model, backend, tier) DO UPDATE SET
    requests = h.requests + excluded.requests,
    errors = h.errors + excluded.errors,
    input_tokens = h.input_tokens + excluded.input_tokens,
    output_tokens = h.output_tokens + excluded.output_tokens,
    cost_usd = h.cost_usd + excluded.cost_usd,
    reference_cost_usd = h.reference_cost_usd + excluded.reference_cost_usd,
    local_requests = h.local_requests + excluded.local_requests,
    local_tokens = h.local_tokens + excluded.local_tokens,
    cache_hits = h.cache_hits + excluded.cache_hits,
    cache_saved_usd = h.cache_saved_usd + excluded.cache_saved_usd
  RETURNING 1
)
SELECT (SELECT count(*) FROM kept)::int AS inserted`;

/**
 * The usage ledger in PostgreSQL or PGlite. `write` only queues; one loop, off the request path,
 * writes a batch every `flushMs` or as soon as `batchSize` records wait, each as one statement
 * (rows and rollups together). While the database is unreachable, batches are appended to the
 * spool on disk instead, retried with backoff (at most 5 s apart), and the spool is replayed in
 * batches, interleaved with new ones, once it answers. A record the database refuses (bad data)
 * is found by retrying its batch row by row, logged and dropped alone.
 */
export class SqlLedgerSink implements LedgerSink {
  private readonly log: LedgerLog;
  private readonly spool: LedgerSpool;
  private readonly partitions: LedgerPartitions;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly retentionDays: number;
  private readonly attemptTimeoutMs: number;
  private readonly maintenanceMs: number;
  private readonly now: () => number;

  private readonly queue: RequestOutcome[] = [];
  /** Records ever written, and those settled (in the database, in the spool, or dropped): flush waits on these. */
  private written = 0;
  private settled = 0;
  /** Records up to this count are written without waiting for a full batch (the flush timer, flush()). */
  private drainUntil = 0;
  private readonly waiters: { target: number; resolve: () => void }[] = [];

  private running?: Promise<void>;
  private readonly starting: Promise<void>;
  /** Records go to the spool until it has been replayed. */
  private spooling = false;
  private replayDue = false;
  /** The spool could not be written: hold records in memory until the next retry. */
  private stalled = false;
  private maintenanceDue = false;
  private backoffMs = MIN_BACKOFF_MS;
  private flushTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private maintenanceTimer?: NodeJS.Timeout;
  private closed = false;
  private closing?: Promise<void>;

  constructor(
    private readonly db: Database,
    options: SqlLedgerSinkOptions,
  ) {
    this.log = options.log;
    this.flushMs = options.flushMs ?? 1_000;
    this.batchSize = options.batchSize ?? 500;
    this.retentionDays = options.retentionDays ?? 90;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 15_000;
    this.maintenanceMs = options.maintenanceMs ?? 86_400_000;
    this.now = options.now ?? Date.now;
    this.partitions = new LedgerPartitions(db);
    this.spool = new LedgerSpool(options.spoolDir, `ledger-${db.schema}`, (segment, line) =>
      this.log.warn({ segment, line }, 'ledger spool: skipped a line that cannot be read (torn by a crash)'),
    );
    // Nothing touches the database here (it may open lazily): only a spool left behind starts a replay.
    this.starting = this.spool.open().then(
      () => {
        if (this.spool.empty) return;
        this.log.info({ records: this.spool.records, dir: this.spool.dir }, 'ledger: replaying the spool an earlier run left');
        this.spooling = true;
        this.replayDue = true;
        void this.pump();
      },
      (err: unknown) => this.log.error({ dir: this.spool.dir, error: messageOf(err) }, 'ledger: cannot read the spool directory'),
    );
  }

  write(records: readonly RequestOutcome[]): Promise<void> {
    if (this.closed) return Promise.reject(new LedgerClosedError());
    for (const record of records) this.queue.push(record);
    this.written += records.length;
    if (this.queue.length >= this.batchSize) void this.pump();
    else if (this.queue.length > 0) this.armFlushTimer();
    return Promise.resolve();
  }

  /** Resolves once everything written before it is in the database or in the spool. */
  async flush(): Promise<void> {
    const target = this.written;
    if (this.settled >= target) return;
    this.drainUntil = Math.max(this.drainUntil, target);
    const done = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    void this.pump();
    await done;
  }

  /** Flushes, tries one last replay of the spool, and stops its timers; what the database still cannot take stays spooled for the next start. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      await this.flush();
      if (this.spooling) {
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        this.stalled = false;
        this.replayDue = true;
        await this.pump();
      }
      clearTimeout(this.flushTimer);
      clearTimeout(this.retryTimer);
      clearInterval(this.maintenanceTimer);
      await this.spool.close();
    })();
    return this.closing;
  }

  stats(): LedgerStats {
    return { queued: this.queue.length, spooledRecords: this.spool.records, spoolBytes: this.spool.bytes };
  }

  /** Runs the write loop unless it runs already; it goes on while there is work. */
  private pump(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      if (this.workDue()) void this.pump();
      else if (this.queue.length > 0) this.armFlushTimer();
    });
    return this.running;
  }

  private workDue(): boolean {
    return (this.maintenanceDue && !this.spooling) || (this.replayDue && !this.stalled) || this.batchDue();
  }

  private batchDue(): boolean {
    return !this.stalled && this.queue.length > 0 && (this.queue.length >= this.batchSize || this.settled < this.drainUntil);
  }

  private async run(): Promise<void> {
    await this.starting;
    while (this.workDue()) {
      try {
        if (this.maintenanceDue && !this.spooling) {
          this.maintenanceDue = false;
          await this.maintain();
        }
        // One spooled batch, then one new batch: a replay catches up without holding new records back.
        if (this.replayDue && !this.stalled) await this.replayStep();
        if (this.batchDue()) await this.writeBatch();
      } catch (err) {
        this.log.error({ error: messageOf(err) }, 'ledger: the write loop failed; retrying');
        this.stall();
      }
    }
  }

  private async writeBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.batchSize);
    if (await this.store(batch)) this.settle(batch.length);
    else this.queue.unshift(...batch);
  }

  /** Into the database, else the spool. False: neither could take it (kept in memory for the retry). */
  private async store(batch: readonly RequestOutcome[]): Promise<boolean> {
    if (this.spooling) return this.toSpool(batch);
    const left = await this.insertAll(this.recordable(batch));
    return left.length === 0 || this.toSpool(left);
  }

  private async toSpool(records: readonly RequestOutcome[]): Promise<boolean> {
    try {
      await this.spool.append(records);
      return true;
    } catch (err) {
      this.log.error({ dir: this.spool.dir, error: messageOf(err) }, 'ledger: cannot write the spool; holding records in memory');
      this.stall();
      return false;
    }
  }

  private async replayStep(): Promise<void> {
    let chunk;
    try {
      chunk = await this.spool.next(this.batchSize);
    } catch (err) {
      this.log.error({ dir: this.spool.dir, error: messageOf(err) }, 'ledger: cannot read the spool');
      this.replayDue = false;
      this.stall();
      return;
    }
    if (chunk === undefined) {
      this.replayDue = false;
      this.spooling = false;
      this.backoffMs = MIN_BACKOFF_MS;
      this.log.info({}, 'ledger: spool replayed; writing to the database again');
      return;
    }
    const left = await this.insertAll(this.recordable(chunk.records));
    if (left.length > 0) {
      this.replayDue = false;
      return;
    }
    await this.spool.consumed();
  }

  /**
   * Inserts the records; returns those the database cannot take now (unreachable, or failing as a
   * whole), which go to the spool. A batch it refuses is retried row by row: a row it refuses for
   * its data is logged and dropped, the rest go in.
   */
  private async insertAll(records: readonly RequestOutcome[]): Promise<readonly RequestOutcome[]> {
    try {
      await this.insertRetrying(records);
      return [];
    } catch (err) {
      if (failureOf(err) === 'unreachable') {
        this.offline(err);
        return records;
      }
    }
    for (let i = 0; i < records.length; i++) {
      try {
        await this.insertRetrying([records[i]]);
      } catch (err) {
        if (failureOf(err) === 'data') {
          this.log.error({ requestId: records[i].requestId, code: sqlState(err), error: messageOf(err) }, 'ledger: dropped a record the database refuses');
          continue;
        }
        this.offline(err);
        return records.slice(i);
      }
    }
    return [];
  }

  /** A deadlock or serialization failure is tried again at once, a few times. */
  private async insertRetrying(records: readonly RequestOutcome[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.withDeadline(this.insert(records));
        return;
      } catch (err) {
        if (failureOf(err) !== 'transient' || attempt >= TRANSIENT_ATTEMPTS) throw err;
      }
    }
  }

  private async insert(records: readonly RequestOutcome[]): Promise<void> {
    if (records.length === 0) return;
    const first = !this.partitions.loaded;
    const days = new Set(records.map((r) => dayKey(r.startedAt)));
    await this.partitions.ensure(days, this.now());
    if (first) this.startMaintenance();
    const rows = JSON.stringify(records.map(toLedgerRow));
    try {
      await this.db.query(INSERT, [rows]);
    } catch (err) {
      // A partition dropped behind the cache's back (another replica's retention): read the catalog again, once.
      if (sqlState(err) !== '23514' || !/no partition/i.test(messageOf(err))) throw err;
      this.partitions.forget();
      await this.partitions.ensure(days, this.now());
      await this.db.query(INSERT, [rows]);
    }
  }

  /** Retention now (the first contact with the database: the sink's start) and then every `maintenanceMs`. */
  private startMaintenance(): void {
    this.maintenanceDue = true;
    clearInterval(this.maintenanceTimer);
    this.maintenanceTimer = setInterval(() => {
      this.maintenanceDue = true;
      void this.pump();
    }, this.maintenanceMs);
    this.maintenanceTimer.unref();
  }

  private async maintain(): Promise<void> {
    try {
      const now = this.now();
      await this.withDeadline(this.partitions.ensure([], now));
      const dropped = await this.withDeadline(this.partitions.dropExpired(this.retentionDays, now));
      if (dropped.length > 0) this.log.info({ days: dropped, retentionDays: this.retentionDays }, 'ledger: dropped days past retention');
    } catch (err) {
      this.log.warn({ error: messageOf(err) }, 'ledger: partition maintenance failed; it runs again at the next interval');
    }
  }

  private recordable(records: readonly RequestOutcome[]): RequestOutcome[] {
    return records.filter((r) => {
      const why = unrecordable(r);
      if (why !== undefined) this.log.error({ requestId: typeof r.requestId === 'string' ? r.requestId : undefined, why }, 'ledger: dropped a record');
      return why === undefined;
    });
  }

  private offline(err: unknown): void {
    if (!this.spooling) {
      this.log.warn({ dir: this.spool.dir, error: messageOf(err) }, 'ledger: the database cannot take records; spooling them to disk');
      this.spooling = true;
    }
    this.scheduleRetry();
  }

  private stall(): void {
    this.stalled = true;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.stalled = false;
      if (this.spooling) this.replayDue = true;
      void this.pump();
    }, this.backoffMs);
    this.retryTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  private armFlushTimer(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.drainUntil = this.written;
      void this.pump();
    }, this.flushMs);
    this.flushTimer.unref();
  }

  private settle(n: number): void {
    this.settled += n;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].target > this.settled) continue;
      this.waiters[i].resolve();
      this.waiters.splice(i, 1);
    }
  }

  private async withDeadline<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the database within ${this.attemptTimeoutMs} ms`)), this.attemptTimeoutMs);
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

type Failure = 'unreachable' | 'transient' | 'data' | 'other';

/** A PostgreSQL error's SQLSTATE; undefined for errors that never reached it (network, pool, timeout). */
function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  // Node's own codes (ECONNRESET, EPIPE) start with E; no SQLSTATE class does.
  return typeof code === 'string' && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code) ? code : undefined;
}

/**
 * What a failed write means: the database did not answer or cannot work now (no SQLSTATE,
 * connection exception, insufficient resources, shutdown, system error); a conflict worth trying
 * again; the data of a row (data exception, constraint, too large); or anything else.
 */
function failureOf(err: unknown): Failure {
  const state = sqlState(err);
  if (state === undefined) return 'unreachable';
  const cls = state.slice(0, 2);
  if (cls === '08' || cls === '53' || cls === '58' || state.startsWith('57P')) return 'unreachable';
  if (cls === '40' || state === '55P03') return 'transient';
  if (cls === '22' || cls === '23' || cls === '54') return 'data';
  return 'other';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
