import type { CounterCharge, CounterDelta, Counters, CounterVerdict } from './counters';
import { describeCountersContract } from './counters.contract.mock';
import { LeasedCounters } from './leased.counters';
import { MemoryCounters } from './memory.counters';

// Leases on: every contract holds as it does for the shared counters underneath.
describeCountersContract('LeasedCounters over MemoryCounters', () => new LeasedCounters(new MemoryCounters(), { share: 0.1 }), { callerLeases: false });

/** The shared counts, with the calls that reached them counted (what a Redis round trip would be). */
class Shared implements Counters {
  calls = 0;
  adjusts = 0;
  constructor(readonly memory: MemoryCounters) {}
  checkAndAdd(charges: readonly CounterCharge[]): Promise<CounterVerdict> {
    this.calls++;
    return this.memory.checkAndAdd(charges);
  }
  adjust(deltas: readonly CounterDelta[]): Promise<void> {
    this.adjusts++;
    return this.memory.adjust(deltas);
  }
}

const rpm = (limit: number, cost = 1, windowMs = 60_000): CounterCharge => ({ key: '{t}:rpm', windowMs, cost, limit });
const usd = (limit: number, cost: number): CounterCharge => ({ key: '{t}:usd', windowMs: 86_400_000, cost, limit });
const sharedCount = async (shared: Shared, charge: CounterCharge) =>
  charge.limit - (await shared.memory.checkAndAdd([{ ...charge, cost: 0 }])).counters[0].remaining;

describe('LeasedCounters', () => {
  it('spends a busy key from its lease, reporting what remains exactly as the shared count would', async () => {
    const shared = new Shared(new MemoryCounters());
    const counters = new LeasedCounters(shared, { share: 0.01 });
    const remaining: number[] = [];
    for (let i = 0; i < 500; i++) {
      const v = await counters.checkAndAdd([rpm(10_000), usd(1_000_000, 40)]);
      expect(v.allowed).toBe(true);
      remaining.push(v.counters[0].remaining);
    }
    expect(remaining).toEqual(Array.from({ length: 500 }, (_, i) => 10_000 - i - 1));
    // A lease of 100 requests (1% of 10,000): the first call has none, then one call per lease.
    expect(shared.calls).toBeLessThanOrEqual(8);
    // What the shared count holds: what was spent, plus what this replica holds unspent.
    expect(await sharedCount(shared, rpm(10_000))).toBeGreaterThanOrEqual(500);
    expect(await sharedCount(shared, rpm(10_000))).toBeLessThanOrEqual(600);
    await counters.release();
    expect(await sharedCount(shared, rpm(10_000))).toBe(500);
    expect(await sharedCount(shared, usd(1_000_000, 40))).toBe(500 * 40);
  });

  it('lets replicas together admit exactly the limit: never more, and in the end all of it', async () => {
    const shared = new Shared(new MemoryCounters());
    const replicas = [0, 1, 2].map(() => new LeasedCounters(shared, { share: 0.05 }));
    let admitted = 0;
    let callsToFirstDenial: number | undefined;
    for (let i = 0; i < 3_000; i++) {
      if ((await replicas[i % 3].checkAndAdd([rpm(1_000)])).allowed) admitted++;
      else callsToFirstDenial ??= shared.calls;
    }
    expect(admitted).toBe(1_000);
    expect(await sharedCount(shared, rpm(1_000))).toBe(1_000);
    // Leases of 50 requests: a few dozen round trips for the first ~1,000 requests, not one each.
    expect(callsToFirstDenial).toBeLessThan(100);
    await Promise.all(replicas.map((r) => r.release()));
  });

  it('asks no lease for a key used less than once per idle period, nor one smaller than a few requests', async () => {
    let now = 0;
    const shared = new Shared(new MemoryCounters(() => now));
    const counters = new LeasedCounters(shared, { share: 0.01, idleMs: 1_000, now: () => now });
    for (let i = 0; i < 5; i++) {
      await counters.checkAndAdd([rpm(10_000)]);
      now += 1_500;
    }
    expect(shared.calls).toBe(5);
    expect(counters.held).toBe(0);
    // 1% of 300 is 3 requests: not worth a lease.
    for (let i = 0; i < 5; i++) await counters.checkAndAdd([{ ...rpm(300), key: '{t}:small' }]);
    expect(shared.calls).toBe(10);
    // A request is spent here whole or not at all: one charge without a lease means none for the others.
    for (let i = 0; i < 5; i++) await counters.checkAndAdd([{ ...rpm(10_000), key: '{t}:big' }, usd(20_000, 3_000)]);
    expect(shared.calls).toBe(15);
    expect(counters.held).toBe(0);
  });

  it('gives an idle key its lease back, so other replicas get the room', async () => {
    const shared = new Shared(new MemoryCounters());
    const counters = new LeasedCounters(shared, { share: 0.1, idleMs: 50 });
    for (let i = 0; i < 3; i++) await counters.checkAndAdd([rpm(1_000)]);
    expect(await sharedCount(shared, rpm(1_000))).toBeGreaterThan(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await sharedCount(shared, rpm(1_000))).toBe(3);
    expect(counters.held).toBe(0);
  });

  it('lets a lease lapse with its window, and spends none under a changed limit', async () => {
    let now = 0;
    const shared = new Shared(new MemoryCounters(() => now));
    const counters = new LeasedCounters(shared, { share: 0.1, now: () => now });
    await counters.checkAndAdd([rpm(1_000, 1, 10_000)]);
    await counters.checkAndAdd([rpm(1_000, 1, 10_000)]);
    const calls = shared.calls;
    await counters.checkAndAdd([rpm(1_000, 1, 10_000)]);
    expect(shared.calls).toBe(calls);
    // The limit was lowered: the next request asks the shared count.
    const lowered = await counters.checkAndAdd([rpm(500, 1, 10_000)]);
    expect(shared.calls).toBe(calls + 1);
    expect(lowered.allowed).toBe(true);
    now += 10_000;
    const fresh = await counters.checkAndAdd([rpm(500, 1, 10_000)]);
    expect(shared.calls).toBe(calls + 2);
    expect(fresh.counters[0].remaining).toBe(499);
  });

  it('counts what it holds unspent as room when read', async () => {
    const shared = new Shared(new MemoryCounters());
    const counters = new LeasedCounters(shared, { share: 0.1 });
    for (let i = 0; i < 4; i++) await counters.checkAndAdd([rpm(1_000)]);
    expect((await counters.checkAndAdd([rpm(1_000, 0)])).counters[0].remaining).toBe(996);
    expect(await sharedCount(shared, rpm(1_000))).toBeGreaterThan(4);
  });
});
