import type { Principal } from '@switchyard/contracts';
import { limitPlan, microUsd, resetText, utcPeriods } from './limit-plan';

const principal = (grants?: Principal['grants']): Principal => ({ tenantId: 'acme', keyId: 'k1', scopes: ['inference'], grants });

describe('limitPlan', () => {
  it('has nothing to count for the admin key or a tenant without limits or budgets', () => {
    expect(limitPlan(undefined)).toBeUndefined();
    expect(limitPlan(principal())).toBeUndefined();
    expect(limitPlan(principal({ limits: {}, budgets: {} }))).toBeUndefined();
  });

  it('charges tenant and key counters, hash-tagged by tenant, budgets by UTC day and month', () => {
    const plan = limitPlan(
      principal({
        limits: { tenant: { rpm: 600, tpm: 200_000 }, key: { rpm: 10 } },
        budgets: { tenant: { dailyUsd: 50, monthlyUsd: 500 }, key: { monthlyUsd: 1.5 } },
      }),
    )!;
    const now = Date.UTC(2026, 10, 30, 23, 59, 0);
    const c = plan.charges(1_234, 5_678, now);
    expect(c.charges).toEqual([
      { key: '{acme}:t:rpm', windowMs: 60_000, cost: 1, limit: 600 },
      { key: '{acme}:k:k1:rpm', windowMs: 60_000, cost: 1, limit: 10 },
      { key: '{acme}:t:tpm', windowMs: 60_000, cost: 1_234, limit: 200_000 },
      { key: '{acme}:t:usd:d:2026-11-30', windowMs: 60_000, cost: 5_678, limit: 50_000_000 },
      { key: '{acme}:t:usd:m:2026-11', windowMs: 60_000, cost: 5_678, limit: 500_000_000 },
      { key: '{acme}:k:k1:usd:m:2026-11', windowMs: 60_000, cost: 5_678, limit: 1_500_000 },
    ]);
    expect(c.tokens).toEqual([2]);
    expect(c.budgets).toEqual([3, 4, 5]);
  });

  it('is built once per principal', () => {
    const p = principal({ limits: { tenant: { rpm: 1 } }, budgets: {} });
    expect(limitPlan(p)).toBe(limitPlan(p));
  });
});

describe('utcPeriods', () => {
  it('names the UTC day and month and says when each ends', () => {
    const now = Date.UTC(2026, 1, 28, 12, 0, 0);
    expect(utcPeriods(now)).toEqual({
      day: { name: '2026-02-28', endsMs: 12 * 3_600_000 },
      month: { name: '2026-02', endsMs: 12 * 3_600_000 },
    });
    expect(utcPeriods(Date.UTC(2026, 11, 31, 0, 0, 0)).month).toEqual({ name: '2026-12', endsMs: 86_400_000 });
  });
});

describe('resetText', () => {
  it.each([
    [0, '0ms'],
    [20, '20ms'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [17_065, '17.06s'],
    [360_000, '6m0s'],
    [3_723_000, '1h2m3s'],
  ])('%d ms is %s', (ms, text) => {
    expect(resetText(ms)).toBe(text);
  });
});

describe('microUsd', () => {
  it('rounds up, so that no request is free, without inventing a micro-dollar from float noise', () => {
    expect(microUsd(0.000_000_1)).toBe(1);
    expect(microUsd(0.1 + 0.2)).toBe(300_000);
    expect(microUsd(50)).toBe(50_000_000);
    expect(microUsd(0)).toBe(0);
  });
});

describe('budget windows across midnight', () => {
  it('moves to the next day and month exactly at UTC midnight', () => {
    const plan = limitPlan(principal({ limits: {}, budgets: { tenant: { dailyUsd: 1, monthlyUsd: 10 } } }))!;
    const before = Date.UTC(2026, 10, 30, 23, 59, 59, 999);
    expect(plan.charges(1, 1, before).charges.map((c) => [c.key, c.windowMs])).toEqual([
      ['{acme}:t:usd:d:2026-11-30', 1],
      ['{acme}:t:usd:m:2026-11', 1],
    ]);
    expect(plan.charges(1, 1, before + 1).charges.map((c) => [c.key, c.windowMs])).toEqual([
      ['{acme}:t:usd:d:2026-12-01', 86_400_000],
      ['{acme}:t:usd:m:2026-12', 31 * 86_400_000],
    ]);
    // And back (a clock set back, or a test): worked out again.
    expect(plan.charges(1, 1, before).charges[0].key).toBe('{acme}:t:usd:d:2026-11-30');
  });
});
