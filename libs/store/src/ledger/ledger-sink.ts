import type { RequestOutcome } from '@switchyard/contracts';

/** DI token of the LedgerSink. */
export const LEDGER_SINK = Symbol('switchyard.LedgerSink');

/**
 * Where the usage ledger's records go: every request's outcome, appended in batches (a
 * PostgreSQL implementation buffers and inserts many rows at once, off the request's path).
 */
export interface LedgerSink {
  /** Appends records, in order; they are kept at the latest once `flush` resolves. */
  write(records: readonly RequestOutcome[]): Promise<void>;
  /** Resolves once everything written before it is kept. */
  flush(): Promise<void>;
  /** Flushes, then refuses further writes with LedgerClosedError. Closing twice is harmless. */
  close(): Promise<void>;
  /** What waits to be written, for metrics (queue depth, spool size). */
  stats?(): LedgerStats;
}

export interface LedgerStats {
  /** Records in memory, not yet written. */
  queued: number;
  /** Records spooled to disk, waiting for the database. */
  spooledRecords: number;
  spoolBytes: number;
}

export class LedgerClosedError extends Error {
  constructor() {
    super('The ledger is closed: no more records can be written.');
    this.name = 'LedgerClosedError';
  }
}
