import { randomUUID } from 'node:crypto';
import type { CounterCharge, Counters } from './counters';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What every Counters keeps, run by each implementation's spec (memory, Redis, Redis Cluster).
 * Keys are fresh per test, so a shared Redis needs no cleanup, and share one hash tag per test
 * as the gateway's share one per tenant, so a call's keys lie in one slot of a cluster. For
 * specs only (`*.mock.ts` is not built).
 */
export function describeCountersContract(
  name: string,
  make: () => Counters | Promise<Counters>,
  /** False for a wrapper that takes leases itself and ignores a caller's `lease`. */
  { callerLeases = true }: { callerLeases?: boolean } = {},
): void {
  describe(`${name} (Counters contract)`, () => {
    let counters: Counters;
    let id: string;
    beforeEach(async () => {
      counters = await make();
      id = `{${randomUUID()}}`;
    });

    const charge = (key: string, cost: number, limit: number, windowMs = 60_000): CounterCharge => ({ key: `${id}:${key}`, windowMs, cost, limit });

    it('allows up to the limit, counting down what remains, then denies without adding', async () => {
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await counters.checkAndAdd([charge('rpm', 1, 3)]));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
      expect(results.map((r) => r.counters[0].remaining)).toEqual([2, 1, 0, 0]);
      const read = await counters.checkAndAdd([charge('rpm', 0, 3)]);
      expect(read.allowed).toBe(true);
      expect(read.counters[0].remaining).toBe(0);
    });

    it('checks and adds all limits or none, and says which limit had no room', async () => {
      await counters.checkAndAdd([charge('tokens', 90, 100)]);
      const denied = await counters.checkAndAdd([charge('requests', 1, 10), charge('tokens', 20, 100)]);
      expect(denied.allowed).toBe(false);
      expect(denied.counters).toEqual([
        expect.objectContaining({ key: `${id}:requests`, allowed: true, remaining: 10 }),
        expect.objectContaining({ key: `${id}:tokens`, allowed: false, remaining: 10 }),
      ]);
      const allowed = await counters.checkAndAdd([charge('requests', 1, 10), charge('tokens', 10, 100)]);
      expect(allowed.allowed).toBe(true);
      expect(allowed.counters.map((c) => c.remaining)).toEqual([9, 0]);
    });

    it('denies a cost larger than the limit, even on an empty window', async () => {
      const r = await counters.checkAndAdd([charge('budget', 11, 10)]);
      expect(r.allowed).toBe(false);
      expect(r.counters[0]).toEqual(expect.objectContaining({ allowed: false, remaining: 10 }));
    });

    it('allows an empty list of charges', async () => {
      expect(await counters.checkAndAdd([])).toEqual({ allowed: true, counters: [] });
    });

    it('reports when the window resets, and starts from zero after it (fixed window)', async () => {
      const first = await counters.checkAndAdd([charge('short', 2, 2, 200)]);
      expect(first.counters[0].resetMs).toBeGreaterThan(0);
      expect(first.counters[0].resetMs).toBeLessThanOrEqual(200);
      expect((await counters.checkAndAdd([charge('short', 1, 2, 200)])).allowed).toBe(false);
      await sleep(first.counters[0].resetMs + 50);
      const later = await counters.checkAndAdd([charge('short', 1, 2, 200)]);
      expect(later.allowed).toBe(true);
      expect(later.counters[0].remaining).toBe(1);
    });

    it('keeps counters apart by key', async () => {
      await counters.checkAndAdd([charge('tenant-a', 5, 5)]);
      const b = await counters.checkAndAdd([charge('tenant-b', 1, 5)]);
      expect(b.allowed).toBe(true);
      expect(b.counters[0].remaining).toBe(4);
    });

    it('never lets many parallel calls past a limit', async () => {
      const results = await Promise.all(Array.from({ length: 200 }, () => counters.checkAndAdd([charge('burst', 1, 50)])));
      expect(results.filter((r) => r.allowed)).toHaveLength(50);
      expect((await counters.checkAndAdd([charge('burst', 0, 50)])).counters[0].remaining).toBe(0);
    });

    it('adds nothing to any limit of parallel calls another limit denied', async () => {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => counters.checkAndAdd([charge(`key-${i}`, 1, 1), charge('tenant', 1, 30), charge('shared', 1, 20)])),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(20);
      const after = await counters.checkAndAdd([charge('tenant', 0, 30), charge('shared', 0, 20)]);
      expect(after.counters.map((c) => c.remaining)).toEqual([10, 0]);
    });

    // Only for counters that take a caller's lease (a wrapper that leases by itself does not).
    if (callerLeases) {
      it('reserves a lease beyond the cost as far as it fits, and none for a denied call', async () => {
        const first = await counters.checkAndAdd([
          { ...charge('rpm', 1, 100), lease: 30 },
          { ...charge('usd', 10, 50), lease: 30 },
        ]);
        expect(first.allowed).toBe(true);
        expect(first.counters.map((c) => [c.leased, c.remaining])).toEqual([
          [30, 69],
          [30, 10],
        ]);
        const second = await counters.checkAndAdd([
          { ...charge('rpm', 1, 100), lease: 30 },
          { ...charge('usd', 5, 50), lease: 30 },
        ]);
        expect(second.counters.map((c) => [c.leased, c.remaining])).toEqual([
          [30, 38],
          [5, 0],
        ]);
        const denied = await counters.checkAndAdd([
          { ...charge('rpm', 1, 100), lease: 30 },
          { ...charge('usd', 1, 50), lease: 30 },
        ]);
        expect(denied.allowed).toBe(false);
        expect(denied.counters.map((c) => [c.leased, c.remaining])).toEqual([
          [0, 38],
          [0, 0],
        ]);
        await expect(counters.checkAndAdd([{ ...charge('bad', 1, 5), lease: -1 }])).rejects.toThrow(RangeError);
      });
    }

    it('adjusts open windows by a signed delta, never below zero', async () => {
      await counters.checkAndAdd([charge('tokens', 60, 100), charge('usd', 10, 100)]);
      await counters.adjust([
        { key: `${id}:tokens`, delta: -45 },
        { key: `${id}:usd`, delta: 25 },
      ]);
      let read = await counters.checkAndAdd([charge('tokens', 0, 100), charge('usd', 0, 100)]);
      expect(read.counters.map((c) => c.remaining)).toEqual([85, 65]);
      await counters.adjust([{ key: `${id}:tokens`, delta: -1_000 }]);
      read = await counters.checkAndAdd([charge('tokens', 0, 100)]);
      expect(read.counters[0].remaining).toBe(100);
      // Past the limit is allowed: the request was admitted, and what it really cost is owed.
      await counters.adjust([{ key: `${id}:usd`, delta: 1_000 }]);
      expect((await counters.checkAndAdd([charge('usd', 0, 100)])).counters[0].remaining).toBe(0);
    });

    it('never opens a window by adjusting, nor moves when one resets', async () => {
      await counters.adjust([{ key: `${id}:absent`, delta: 5 }]);
      const read = await counters.checkAndAdd([charge('absent', 1, 5)]);
      expect(read.counters[0].remaining).toBe(4);
      const first = await counters.checkAndAdd([charge('short', 1, 5, 300)]);
      await counters.adjust([{ key: `${id}:short`, delta: 2 }]);
      const after = await counters.checkAndAdd([charge('short', 0, 5, 300)]);
      expect(after.counters[0].remaining).toBe(2);
      expect(after.counters[0].resetMs).toBeLessThanOrEqual(first.counters[0].resetMs);
      await sleep(first.counters[0].resetMs + 50);
      await counters.adjust([{ key: `${id}:short`, delta: 2 }]);
      expect((await counters.checkAndAdd([charge('short', 0, 5, 300)])).counters[0].remaining).toBe(5);
    });

    it('adjusts nothing for an empty list, and refuses a malformed delta', async () => {
      await expect(counters.adjust([])).resolves.toBeUndefined();
      await expect(counters.adjust([{ key: `${id}:x`, delta: 0.5 }])).rejects.toThrow(RangeError);
      await expect(counters.adjust([{ key: '', delta: 1 }])).rejects.toThrow(RangeError);
    });

    it('refuses a malformed call', async () => {
      await expect(counters.checkAndAdd([charge('twice', 1, 5), charge('twice', 1, 5)])).rejects.toThrow(RangeError);
      await expect(counters.checkAndAdd([charge('negative', -1, 5)])).rejects.toThrow(RangeError);
      await expect(counters.checkAndAdd([charge('window', 1, 5, 0)])).rejects.toThrow(RangeError);
      await expect(counters.checkAndAdd([{ key: '', windowMs: 1000, cost: 1, limit: 1 }])).rejects.toThrow(RangeError);
    });
  });
}
