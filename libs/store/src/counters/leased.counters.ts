import { assertCharges, type CounterCharge, type CounterDelta, type Counters, type CounterState, type CounterVerdict } from './counters';

export interface LeaseOptions {
  /** Share of a limit this process may reserve ahead of its requests (0.01: 1%); 0 turns leases off. */
  share: number;
  /** A lease is asked only if it covers at least this many of the current charge's cost. */
  minCosts?: number;
  /** A key unused this long gives its lease back; a key asked less often than this gets none. */
  idleMs?: number;
  /** Told when giving a lease back failed (its units then stay counted until the window ends). */
  onError?: (err: unknown) => void;
  now?: () => number;
}

/** What this process holds of one key. */
interface Lease {
  /** Reserved in the shared count and not yet spent here. */
  left: number;
  /** The shared count's remaining room at the last call (without `left`). */
  remaining: number;
  limit: number;
  endsAt: number;
  usedAt: number;
}

/**
 * Shared counters (Redis, or the primary's over IPC) with leases: a busy key reserves a small
 * share of its limit in the same call that admits a request, and the next requests spend it here
 * without a round trip. The reserved units are counted in the shared count, so replicas together
 * never pass a limit; what a replica holds unspent (at most `share` of each limit) is given back
 * once the key goes idle, or lapses with its window. A call the shared count denies while this
 * process holds leases on its keys gives them back and asks once more, so a lease never refuses a
 * request on its own replica. Keys asked less than once per `idleMs` get no lease: one call each,
 * as without leases.
 */
export class LeasedCounters implements Counters {
  private readonly leases = new Map<string, Lease>();
  /** Lease units asked and not yet answered, per key: concurrent calls do not ask twice. */
  private readonly asking = new Map<string, number>();
  private readonly share: number;
  private readonly minCosts: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly inner: Counters,
    private readonly options: LeaseOptions,
  ) {
    this.share = options.share;
    this.minCosts = options.minCosts ?? 4;
    this.idleMs = options.idleMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  checkAndAdd(charges: readonly CounterCharge[]): Promise<CounterVerdict> {
    if (charges.length === 0 || this.share <= 0) return this.inner.checkAndAdd(charges);
    return new Promise((resolve) => {
      // Inside the executor, a malformed call rejects rather than throws.
      assertCharges(charges);
      const now = this.now();
      if (charges.every((c) => c.cost === 0)) resolve(this.read(charges, now));
      else resolve(this.spend(charges, now) ?? this.remote(charges, now));
    });
  }

  adjust(deltas: readonly CounterDelta[]): Promise<void> {
    return this.inner.adjust(deltas);
  }

  /** Gives every lease back (at shutdown, before the connections close). */
  async release(): Promise<void> {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    const now = this.now();
    await this.giveBack([...this.leases.keys()], now);
    this.leases.clear();
  }

  /** Keys holding a lease (for specs). */
  get held(): number {
    let n = 0;
    for (const l of this.leases.values()) if (l.left > 0) n++;
    return n;
  }

  /** Every charge paid from this process's leases, or undefined when one cannot be. */
  private spend(charges: readonly CounterCharge[], now: number): CounterVerdict | undefined {
    for (const c of charges) {
      const l = this.leases.get(c.key);
      if (l === undefined || l.endsAt <= now || l.left < c.cost || l.limit !== c.limit) return undefined;
    }
    const counters: CounterState[] = [];
    for (const c of charges) {
      const l = this.leases.get(c.key)!;
      l.left -= c.cost;
      l.usedAt = now;
      counters.push({ key: c.key, allowed: true, remaining: l.remaining + l.left, resetMs: l.endsAt - now, leased: 0 });
    }
    return { allowed: true, counters };
  }

  private async remote(charges: readonly CounterCharge[], now: number): Promise<CounterVerdict> {
    const wants = this.wants(charges, now);
    const asked = charges.map((c, i) => (wants[i] > 0 ? { ...c, lease: wants[i] } : c));
    for (const [i, c] of charges.entries()) if (wants[i] > 0) this.asking.set(c.key, (this.asking.get(c.key) ?? 0) + wants[i]);
    let verdict: CounterVerdict;
    try {
      verdict = await this.inner.checkAndAdd(asked);
    } finally {
      for (const [i, c] of charges.entries()) if (wants[i] > 0) this.unask(c.key, wants[i]);
    }
    if (!verdict.allowed && charges.some((c) => (this.live(c.key, this.now())?.left ?? 0) > 0)) {
      // The room this call lacks may be what this process holds: give it back, ask once more.
      await this.giveBack(
        charges.map((c) => c.key),
        this.now(),
      );
      verdict = await this.inner.checkAndAdd(charges);
    }
    const at = this.now();
    return { allowed: verdict.allowed, counters: verdict.counters.map((s, i) => this.record(charges[i], s, verdict.allowed, at)) };
  }

  /** A read (every cost 0) goes to the shared count; what this process holds unspent is still room. */
  private async read(charges: readonly CounterCharge[], now: number): Promise<CounterVerdict> {
    const verdict = await this.inner.checkAndAdd(charges);
    return { ...verdict, counters: verdict.counters.map((s) => ({ ...s, remaining: s.remaining + (this.live(s.key, now)?.left ?? 0) })) };
  }

  /**
   * Lease units to ask with each charge: only for keys already busy here, up to their share, and
   * only if every charge of the call can have one (a request is spent here whole, or not at all).
   */
  private wants(charges: readonly CounterCharge[], now: number): number[] {
    const wants: number[] = [];
    for (const c of charges) {
      const l = this.live(c.key, now);
      const target = Math.floor(c.limit * this.share);
      if (l === undefined || now - l.usedAt >= this.idleMs || target === 0 || target < this.minCosts * c.cost) return charges.map(() => 0);
      wants.push(Math.max(0, target - (l.limit === c.limit ? l.left : 0) - (this.asking.get(c.key) ?? 0)));
    }
    return wants;
  }

  private record(c: CounterCharge, s: CounterState, allowed: boolean, now: number): CounterState {
    let l = this.live(c.key, now);
    if (allowed) {
      if (l === undefined) {
        l = { left: 0, remaining: 0, limit: c.limit, endsAt: 0, usedAt: now };
        this.leases.set(c.key, l);
      }
      l.left += s.leased ?? 0;
      l.remaining = s.remaining;
      l.limit = c.limit;
      l.endsAt = now + s.resetMs;
      l.usedAt = now;
      this.sweeper ??= setInterval(() => void this.sweep(), this.idleMs).unref();
    }
    return { key: s.key, allowed: s.allowed, remaining: s.remaining + (l?.left ?? 0), resetMs: s.resetMs, leased: 0 };
  }

  private live(key: string, now: number): Lease | undefined {
    const l = this.leases.get(key);
    if (l !== undefined && l.endsAt <= now) {
      this.leases.delete(key);
      return undefined;
    }
    return l;
  }

  private unask(key: string, n: number): void {
    const left = (this.asking.get(key) ?? 0) - n;
    if (left > 0) this.asking.set(key, left);
    else this.asking.delete(key);
  }

  /** Leases of idle keys go back; ended windows took theirs with them. */
  private async sweep(): Promise<void> {
    const now = this.now();
    const idle: string[] = [];
    for (const [key, l] of this.leases) {
      if (l.endsAt <= now) this.leases.delete(key);
      else if (now - l.usedAt >= this.idleMs) idle.push(key);
    }
    await this.giveBack(idle, now);
    for (const key of idle) {
      const l = this.leases.get(key);
      if (l !== undefined && l.left === 0 && now - l.usedAt >= this.idleMs) this.leases.delete(key);
    }
    if (this.leases.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** Returns what the keys hold unspent: one adjust per hash tag, as a call's keys share a slot. */
  private async giveBack(keys: readonly string[], now: number): Promise<void> {
    const byTag = new Map<string, CounterDelta[]>();
    for (const key of keys) {
      const l = this.live(key, now);
      if (l === undefined || l.left <= 0) continue;
      const tag = key.startsWith('{') ? key.slice(0, key.indexOf('}') + 1) : key;
      let deltas = byTag.get(tag);
      if (deltas === undefined) byTag.set(tag, (deltas = []));
      deltas.push({ key, delta: -l.left });
      l.remaining += l.left;
      l.left = 0;
    }
    await Promise.all(
      [...byTag.values()].map((deltas) =>
        this.inner.adjust(deltas).catch((err: unknown) => {
          this.options.onError?.(err);
        }),
      ),
    );
  }
}
