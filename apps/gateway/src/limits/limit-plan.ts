import type { Budgets, Limits, Principal } from '@switchyard/contracts';
import type { CounterCharge, CounterState } from '@switchyard/store';

/** Requests and tokens per minute count over one-minute windows. */
export const MINUTE_MS = 60_000;

export type LimitScope = 'tenant' | 'key';

interface RateLimit {
  scope: LimitScope;
  key: string;
  limit: number;
}

interface Budget {
  scope: LimitScope;
  /** The counter's key without its period (`…:usd:d`); the day or month is appended per request. */
  key: string;
  period: 'day' | 'month';
  limitMicroUsd: number;
}

/** What one request is charged, and where each charge sits in the call (for the true-up). */
export interface Charges {
  charges: CounterCharge[];
  /** Indexes of the token and budget charges, which the true-up corrects. */
  tokens: number[];
  budgets: number[];
}

/**
 * The counters a principal's requests count against: requests and tokens per minute, USD per
 * UTC day and month, each for its tenant and for its key (a key's limits apply inside its
 * tenant's). Every key carries the tenant as a Redis hash tag, so one request's counters share
 * a slot. Built once per principal (they are cached with their key), so the hot path reads it.
 */
export class LimitPlan {
  readonly requests: RateLimit[] = [];
  readonly tokens: RateLimit[] = [];
  readonly budgets: Budget[] = [];

  constructor(principal: Principal) {
    const grants = principal.grants!;
    const tenant = `{${principal.tenantId}}:t`;
    const key = `{${principal.tenantId}}:k:${principal.keyId}`;
    this.rates('tenant', tenant, grants.limits.tenant);
    this.rates('key', key, grants.limits.key);
    this.money('tenant', tenant, grants.budgets.tenant);
    this.money('key', key, grants.budgets.key);
  }

  /** Nothing to count: no limit and no budget. */
  get empty(): boolean {
    return this.requests.length === 0 && this.tokens.length === 0 && this.budgets.length === 0;
  }

  /** This request's charges: one request, its estimated tokens, its estimated micro-USD. */
  charges(tokens: number, microUsd: number, now: number): Charges {
    const charges: CounterCharge[] = [];
    const out: Charges = { charges, tokens: [], budgets: [] };
    for (const r of this.requests) charges.push({ key: r.key, windowMs: MINUTE_MS, cost: 1, limit: r.limit });
    for (const t of this.tokens) {
      out.tokens.push(charges.length);
      charges.push({ key: t.key, windowMs: MINUTE_MS, cost: tokens, limit: t.limit });
    }
    if (this.budgets.length > 0) {
      const cal = currentPeriods(now);
      for (const b of this.budgets) {
        const p = b.period === 'day' ? cal.day : cal.month;
        out.budgets.push(charges.length);
        charges.push({ key: `${b.key}:${p.name}`, windowMs: p.endsMs, cost: microUsd, limit: b.limitMicroUsd });
      }
    }
    return out;
  }

  /** Each charge's scope and kind, in the order `charges` gives them. */
  get kinds(): { scope: LimitScope; kind: 'rpm' | 'tpm' | 'dailyUsd' | 'monthlyUsd' }[] {
    return [
      ...this.requests.map((r) => ({ scope: r.scope, kind: 'rpm' as const })),
      ...this.tokens.map((t) => ({ scope: t.scope, kind: 'tpm' as const })),
      ...this.budgets.map((b) => ({ scope: b.scope, kind: b.period === 'day' ? ('dailyUsd' as const) : ('monthlyUsd' as const) })),
    ];
  }

  private rates(scope: LimitScope, prefix: string, limits: Limits | undefined): void {
    if (limits?.rpm !== undefined) this.requests.push({ scope, key: `${prefix}:rpm`, limit: limits.rpm });
    if (limits?.tpm !== undefined) this.tokens.push({ scope, key: `${prefix}:tpm`, limit: limits.tpm });
  }

  private money(scope: LimitScope, prefix: string, budgets: Budgets | undefined): void {
    if (budgets?.dailyUsd !== undefined) this.budgets.push({ scope, key: `${prefix}:usd:d`, period: 'day', limitMicroUsd: microUsd(budgets.dailyUsd) });
    if (budgets?.monthlyUsd !== undefined) this.budgets.push({ scope, key: `${prefix}:usd:m`, period: 'month', limitMicroUsd: microUsd(budgets.monthlyUsd) });
  }
}

const plans = new WeakMap<Principal, LimitPlan | null>();

/** The principal's plan, or undefined when it has nothing to count (the admin key, an unlimited tenant). */
export function limitPlan(principal: Principal | undefined): LimitPlan | undefined {
  if (principal?.grants === undefined) return undefined;
  let plan = plans.get(principal);
  if (plan === undefined) {
    const built = new LimitPlan(principal);
    plan = built.empty ? null : built;
    plans.set(principal, plan);
  }
  return plan ?? undefined;
}

/** Budgets count in integer micro-USD, rounded up so that small requests are never free. */
export function microUsd(usd: number): number {
  return Math.max(0, Math.ceil(usd * 1e6 - 1e-6));
}

interface Period {
  /** `2026-11-30` or `2026-11`: in the counter's key, so a new day or month starts a new counter. */
  name: string;
  /** Milliseconds until the period ends (the counter's window). */
  endsMs: number;
}

/** The UTC calendar day and month `now` falls in. */
export function utcPeriods(now: number): { day: Period; month: Period } {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const month = `${y}-${String(m + 1).padStart(2, '0')}`;
  return {
    day: { name: `${month}-${String(d.getUTCDate()).padStart(2, '0')}`, endsMs: Date.UTC(y, m, d.getUTCDate() + 1) - now },
    month: { name: month, endsMs: Date.UTC(y, m + 1, 1) - now },
  };
}

/** The current day's names and ends, worked out once a day rather than per request. */
let today: { startMs: number; endMs: number; day: string; month: string; monthEndMs: number } | undefined;

function currentPeriods(now: number): { day: Period; month: Period } {
  if (today === undefined || now < today.startMs || now >= today.endMs) {
    const p = utcPeriods(now);
    const endMs = now + p.day.endsMs;
    today = { startMs: endMs - 86_400_000, endMs, day: p.day.name, month: p.month.name, monthEndMs: now + p.month.endsMs };
  }
  return { day: { name: today.day, endsMs: today.endMs - now }, month: { name: today.month, endsMs: today.monthEndMs - now } };
}

/** Of the `count` counters from `from`, the one with the least room left: what the rate-limit headers report. */
export function tightest(states: readonly CounterState[], from: number, count: number): CounterState | undefined {
  let best: CounterState | undefined;
  for (let i = from; i < from + count; i++) if (best === undefined || states[i].remaining < best.remaining) best = states[i];
  return best;
}

/** A duration as OpenAI's rate-limit headers write it: `20ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`. */
export function resetText(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 10) / 100;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
