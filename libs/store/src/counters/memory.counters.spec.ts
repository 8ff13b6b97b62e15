import { describeCountersContract } from './counters.contract.mock';
import { MemoryCounters } from './memory.counters';

describeCountersContract('MemoryCounters', () => new MemoryCounters());

describe('MemoryCounters', () => {
  it('drops ended windows, so idle keys do not pile up', async () => {
    let now = 0;
    const counters = new MemoryCounters(() => now, 1_000);
    await counters.checkAndAdd([
      { key: 'a', windowMs: 500, cost: 1, limit: 5 },
      { key: 'b', windowMs: 5_000, cost: 1, limit: 5 },
    ]);
    expect(counters.size).toBe(2);
    now = 1_000;
    await counters.checkAndAdd([]);
    expect(counters.size).toBe(1);
  });

  it("keeps a window's length from the charge that opened it", async () => {
    let now = 0;
    const counters = new MemoryCounters(() => now);
    await counters.checkAndAdd([{ key: 'k', windowMs: 1_000, cost: 1, limit: 5 }]);
    now = 400;
    const r = await counters.checkAndAdd([{ key: 'k', windowMs: 60_000, cost: 1, limit: 5 }]);
    expect(r.counters[0]).toEqual({ key: 'k', allowed: true, remaining: 3, resetMs: 600, leased: 0 });
  });
});
