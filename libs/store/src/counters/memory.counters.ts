import { assertCharges, assertDeltas, type CounterCharge, type CounterDelta, type Counters, type CounterVerdict } from './counters';

interface Window {
  used: number;
  endsAt: number;
}

/**
 * Counters in this process's memory: the embedded default for one replica. A call checks and adds
 * without awaiting anything in between, so calls in one process never interleave. Ended windows
 * are dropped when met and swept from time to time, so idle keys do not pile up.
 */
export class MemoryCounters implements Counters {
  private readonly windows = new Map<string, Window>();
  private sweepAt = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sweepEveryMs = 10_000,
  ) {}

  checkAndAdd(charges: readonly CounterCharge[]): Promise<CounterVerdict> {
    // Synchronous inside (a throw in the executor rejects), so no other call runs in between.
    return new Promise((resolve) => resolve(this.apply(charges)));
  }

  adjust(deltas: readonly CounterDelta[]): Promise<void> {
    return new Promise((resolve) => {
      assertDeltas(deltas);
      const now = this.now();
      for (const d of deltas) {
        const w = this.live(d.key, now);
        if (w !== undefined) w.used = Math.max(0, w.used + d.delta);
      }
      resolve();
    });
  }

  private apply(charges: readonly CounterCharge[]): CounterVerdict {
    assertCharges(charges);
    const now = this.now();
    this.sweep(now);
    const open = charges.map((c) => this.live(c.key, now));
    const fits = charges.map((c, i) => (open[i]?.used ?? 0) + c.cost <= c.limit);
    const allowed = fits.every(Boolean);
    const counters = charges.map((c, i) => {
      let w = open[i];
      let leased = 0;
      if (allowed) {
        leased = Math.min(c.lease ?? 0, c.limit - (w?.used ?? 0) - c.cost);
        if (c.cost + leased > 0) {
          w ??= { used: 0, endsAt: now + c.windowMs };
          w.used += c.cost + leased;
          this.windows.set(c.key, w);
        }
      }
      return { key: c.key, allowed: fits[i], remaining: Math.max(0, c.limit - (w?.used ?? 0)), resetMs: w ? w.endsAt - now : c.windowMs, leased };
    });
    return { allowed, counters };
  }

  private live(key: string, now: number): Window | undefined {
    const w = this.windows.get(key);
    if (w !== undefined && w.endsAt <= now) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private sweep(now: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + this.sweepEveryMs;
    for (const [key, w] of this.windows) if (w.endsAt <= now) this.windows.delete(key);
  }

  /** Keys with an open window (for specs). */
  get size(): number {
    return this.windows.size;
  }
}
