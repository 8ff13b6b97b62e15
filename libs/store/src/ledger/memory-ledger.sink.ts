import type { RequestOutcome } from '@switchyard/contracts';
import { LedgerClosedError, type LedgerSink, type LedgerStats } from './ledger-sink';

/**
 * The latest `max` records in this process's memory, in a ring: the embedded default, readable
 * by specs and an admin view. Older records are overwritten, so memory stays bounded.
 */
export class MemoryLedgerSink implements LedgerSink {
  private readonly ring: RequestOutcome[] = [];
  private next = 0;
  private closed = false;

  constructor(private readonly max = 10_000) {
    if (!Number.isSafeInteger(max) || max <= 0) throw new RangeError('A ledger must hold at least one record.');
  }

  write(records: readonly RequestOutcome[]): Promise<void> {
    if (this.closed) return Promise.reject(new LedgerClosedError());
    for (const record of records) {
      this.ring[this.next] = record;
      this.next = (this.next + 1) % this.max;
    }
    return Promise.resolve();
  }

  /** Nothing is pending: a write is kept as it returns. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Nothing ever waits here. */
  stats(): LedgerStats {
    return { queued: 0, spooledRecords: 0, spoolBytes: 0 };
  }

  /** The records kept, oldest first. */
  read(): RequestOutcome[] {
    return this.ring.length < this.max ? [...this.ring] : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}
