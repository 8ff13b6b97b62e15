import type { CounterDelta, Counters } from '@switchyard/store';

/**
 * True-ups gathered for a moment and sent together, one Counters.adjust per tenant per flush (a
 * call's keys share the tenant's hash tag): the true-up adds no Redis round trip per request,
 * only one per busy tenant every `everyMs`. Until then counters hold the estimate, which errs on
 * the safe side.
 */
export class TrueUps {
  private pending = new Map<string, Map<string, number>>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly counters: Counters,
    private readonly everyMs: number,
    /** Told how each call went: undefined, or what it failed with. */
    private readonly reported: (err?: unknown) => void,
  ) {}

  add(tenantId: string, key: string, delta: number): void {
    let keys = this.pending.get(tenantId);
    if (keys === undefined) this.pending.set(tenantId, (keys = new Map<string, number>()));
    keys.set(key, (keys.get(key) ?? 0) + delta);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), this.everyMs);
      this.timer.unref();
    }
  }

  /** Sends what is pending (also at shutdown, before the connections close). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    const calls: Promise<void>[] = [];
    for (const keys of batch.values()) {
      const deltas: CounterDelta[] = [];
      for (const [key, delta] of keys) if (delta !== 0) deltas.push({ key, delta });
      if (deltas.length > 0) calls.push(this.counters.adjust(deltas).then(() => this.reported(), this.reported));
    }
    await Promise.all(calls);
  }
}
