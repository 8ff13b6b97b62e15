import { MemoryCounters } from '@switchyard/store';
import { TrueUps } from './true-ups';

describe('TrueUps', () => {
  it("sends a moment's true-ups together: one adjust per tenant, deltas of a key summed", async () => {
    const counters = new MemoryCounters();
    await counters.checkAndAdd([
      { key: '{a}:tpm', windowMs: 60_000, cost: 100, limit: 1_000 },
      { key: '{b}:tpm', windowMs: 60_000, cost: 100, limit: 1_000 },
    ]);
    const adjust = jest.spyOn(counters, 'adjust');
    const reported: unknown[] = [];
    const trueUps = new TrueUps(counters, 10_000, (err) => reported.push(err));
    trueUps.add('a', '{a}:tpm', -30);
    trueUps.add('a', '{a}:tpm', -20);
    trueUps.add('b', '{b}:tpm', 5);
    trueUps.add('b', '{b}:other', 0);
    expect(adjust).not.toHaveBeenCalled();
    await trueUps.flush();
    expect(adjust.mock.calls).toEqual([[[{ key: '{a}:tpm', delta: -50 }]], [[{ key: '{b}:tpm', delta: 5 }]]]);
    expect(reported).toEqual([undefined, undefined]);
    const read = await counters.checkAndAdd([
      { key: '{a}:tpm', windowMs: 60_000, cost: 0, limit: 1_000 },
      { key: '{b}:tpm', windowMs: 60_000, cost: 0, limit: 1_000 },
    ]);
    expect(read.counters.map((c) => c.remaining)).toEqual([950, 895]);
  });

  it('flushes by itself after its interval, and reports a failed call', async () => {
    const counters = new MemoryCounters();
    const failure = new Error('down');
    jest.spyOn(counters, 'adjust').mockRejectedValueOnce(failure);
    const reported: unknown[] = [];
    const trueUps = new TrueUps(counters, 5, (err) => reported.push(err));
    trueUps.add('a', '{a}:tpm', 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(reported).toEqual([failure]);
  });
});
