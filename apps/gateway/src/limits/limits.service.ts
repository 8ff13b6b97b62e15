import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import type { Budgets, Limits, Principal, PromptView, RequestOutcome } from '@switchyard/contracts';
import { estimatePromptTokens } from '@switchyard/policy';
import { PolicyRuntime } from '@switchyard/runtime';
import { COUNTERS, LeasedCounters, type Counters, type CounterVerdict } from '@switchyard/store';
import { GatewayMetrics, type Logger } from '@switchyard/telemetry';
import '../auth/principal';
import { OutcomeBus } from '../observability/outcome-bus';
import { costOn } from '../ledger/accounting';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { LimitPlan, limitPlan, microUsd, resetText, tightest, type Charges, type LimitScope } from './limit-plan';
import { LimitExceededError, LimitsUnavailableError } from './limits.errors';
import { TrueUps } from './true-ups';

/** How long true-ups gather before they are sent, one call per tenant. */
const TRUE_UP_EVERY_MS = 50;

/** Where one counter of a tenant or key stands now (budgets in USD). */
export interface LimitUsage {
  scope: LimitScope;
  kind: 'rpm' | 'tpm' | 'dailyUsd' | 'monthlyUsd';
  limit: number;
  used: number;
  remaining: number;
  /** Milliseconds until the window (minute, UTC day or month) ends. */
  resetMs: number;
}

/** What a request was admitted on, to true up when it ends. */
interface Reservation {
  principal: Principal;
  charges: Charges;
  promptTokens: number;
  outputTokens: number;
  microUsd: number;
}

/**
 * Request and token limits and USD budgets, per tenant and per key, in one Counters call per
 * request (one Redis round trip): admitted on an estimate — prompt tokens by the tokenizer,
 * `max_tokens` or the configured default, the price of the dearest target the model may be
 * routed to (any of them may end up serving it) — then trued up from the request's outcome: its
 * actual tokens at the price of the backend that served it. The admin key and tenants without
 * limits skip all of it, and get no rate-limit headers.
 */
@Injectable()
export class LimitsService implements OnModuleDestroy {
  /** By request id; a list, since a client may reuse an id (its principal tells them apart). */
  private readonly reservations = new Map<string, Reservation[]>();
  private readonly unsubscribe: () => void;
  private readonly log: Logger;
  private storeUp = true;
  private readonly rejected: Counter<'reason'>;
  private readonly storeFailures: Counter<'action'>;
  private readonly storeUpGauge: Gauge;
  private readonly trueUps: TrueUps;

  constructor(
    @Inject(COUNTERS) private readonly counters: Counters,
    @Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime,
    private readonly policy: PolicyRuntime,
    metrics: GatewayMetrics,
    outcomes: OutcomeBus,
  ) {
    this.log = runtime.logger.child({ component: 'limits' });
    const registers = [metrics.registry];
    this.rejected = metrics.limitRejections;
    this.storeFailures = new Counter({
      name: 'switchyard_limits_store_failures_total',
      help: 'Counter calls that failed (Redis unreachable), by what the fail mode did: admitted, refused, or a lost true-up.',
      labelNames: ['action'],
      registers,
    });
    this.storeUpGauge = new Gauge({ name: 'switchyard_limits_store_up', help: 'Whether the last call to the limit counters succeeded.', registers });
    this.storeUpGauge.set(1);
    this.trueUps = new TrueUps(counters, TRUE_UP_EVERY_MS, (err) => {
      if (err === undefined) return this.reachable();
      this.unreachable(err);
      this.storeFailures.inc({ action: 'true_up_lost' });
    });
    this.unsubscribe = outcomes.subscribe((o) => this.settle(o));
  }

  /** Before the Redis connections close (at application shutdown). */
  async onModuleDestroy(): Promise<void> {
    this.unsubscribe();
    await this.trueUps.flush();
    // What this replica reserved ahead and did not spend goes back to the others.
    if (this.counters instanceof LeasedCounters) await this.counters.release();
  }

  /**
   * Admits the request or throws (429 over a limit or budget; 503 when the counters cannot be
   * reached and the fail mode is closed); sets the rate-limit headers for limited principals.
   * `countPrompt` runs only for principals whose tokens are limited.
   */
  async admit(req: FastifyRequest, reply: FastifyReply, prompt: PromptView, countPrompt: () => number): Promise<void> {
    const draft = req.outcome;
    // The ledger counts it too when a backend reports no usage: once, whoever asks first.
    if (draft !== undefined) draft.countPrompt = countPrompt;
    const plan = limitPlan(req.principal);
    if (plan === undefined) return;
    const principal = req.principal!;
    const promptTokens = plan.tokens.length > 0 ? (draft?.promptTokens() ?? countPrompt()) : estimatePromptTokens(prompt);
    const outputTokens = prompt.kind === 'embeddings' ? 0 : (prompt.maxTokens ?? this.runtime.config.limits.defaultMaxTokens) * (prompt.n ?? 1);
    const usd = plan.budgets.length > 0 ? microUsd(this.dearest(prompt.model, promptTokens, outputTokens)) : 0;
    const charges = plan.charges(promptTokens + outputTokens, usd, Date.now());
    let verdict: CounterVerdict;
    try {
      verdict = await this.counters.checkAndAdd(charges.charges);
      this.reachable();
    } catch (err) {
      this.unreachable(err);
      const { requests, budgets } = this.runtime.config.limits.failMode;
      const refuse = (budgets === 'closed' && plan.budgets.length > 0) || (requests === 'closed' && (plan.requests.length > 0 || plan.tokens.length > 0));
      this.storeFailures.inc({ action: refuse ? 'refused' : 'admitted' });
      if (!refuse) return;
      this.rejected.inc({ reason: 'limits_unavailable' });
      throw new LimitsUnavailableError(err);
    }
    rateLimitHeaders(reply, plan, verdict);
    if (!verdict.allowed) {
      const err = this.denied(principal, plan, charges, verdict);
      // Not before the day or month ends, or ever for a request larger than the limit: OpenAI's SDKs skip their retries.
      if (!err.retryable) reply.header('x-should-retry', 'false');
      throw err;
    }
    const reservation: Reservation = { principal, charges, promptTokens, outputTokens, microUsd: usd };
    // The client may have gone while the counters answered: its outcome is out already.
    if (reply.raw.destroyed) {
      this.trueUp(reservation, 0, 0, 0);
      return;
    }
    const same = this.reservations.get(req.id);
    if (same === undefined) this.reservations.set(req.id, [reservation]);
    else same.push(reservation);
  }

  /**
   * The current counters of a tenant (and of one of its keys, given its id and own grants), read
   * without adding anything: what the admin API shows as current usage and remaining budget.
   */
  async usage(
    tenantId: string,
    tenant: { limits?: Limits; budgets?: Budgets },
    key?: { id: string; limits?: Limits; budgets?: Budgets },
  ): Promise<LimitUsage[]> {
    const plan = new LimitPlan({
      tenantId,
      keyId: key?.id ?? '',
      scopes: [],
      grants: { limits: { tenant: tenant.limits, key: key?.limits }, budgets: { tenant: tenant.budgets, key: key?.budgets } },
    });
    // Every charge at cost 0: a request's own charge counts 1 request, and reading must count nothing.
    const charges = plan.charges(0, 0, Date.now()).charges.map((c) => ({ ...c, cost: 0 }));
    const verdict = await this.counters.checkAndAdd(charges);
    const kinds = plan.kinds;
    return verdict.counters.map((c, i) => {
      const usd = kinds[i].kind === 'dailyUsd' || kinds[i].kind === 'monthlyUsd';
      const unit = (n: number) => (usd ? n / 1e6 : n);
      return {
        ...kinds[i],
        limit: unit(charges[i].limit),
        used: unit(charges[i].limit - c.remaining),
        remaining: unit(c.remaining),
        resetMs: c.resetMs,
      };
    });
  }

  /** USD of the request at the dearest target of its model: any of them may serve it. */
  private dearest(model: string, promptTokens: number, outputTokens: number): number {
    const gen = this.policy.current;
    const route = gen.engine.catalog.resolve(model);
    if (route === undefined) return 0;
    let max = 0;
    for (const t of route.targets) max = Math.max(max, costOn(gen, t.backend, t.model, promptTokens, outputTokens));
    return max;
  }

  private denied(principal: Principal, plan: LimitPlan, charges: Charges, verdict: CounterVerdict): LimitExceededError {
    const i = verdict.counters.findIndex((c) => !c.allowed);
    const state = verdict.counters[i];
    const charge = charges.charges[i];
    const { scope: of, kind } = plan.kinds[i];
    const scope = of === 'key' ? `key ${principal.keyId}` : `tenant ${principal.tenantId}`;
    if (kind === 'dailyUsd' || kind === 'monthlyUsd') {
      this.rejected.inc({ reason: 'budget_exceeded' });
      const period = kind === 'dailyUsd' ? 'daily' : 'monthly';
      const left = (state.remaining / 1e6).toFixed(6);
      return new LimitExceededError(
        `Budget exceeded: the ${period} budget of ${scope} has $${left} left, and this request may cost up to $${(charge.cost / 1e6).toFixed(6)}. It resets in ${resetText(state.resetMs)}.`,
        'budget_exceeded',
        state.resetMs,
        false,
      );
    }
    this.rejected.inc({ reason: 'rate_limit_exceeded' });
    const what = kind === 'tpm' ? 'tokens per min (TPM)' : 'requests per min (RPM)';
    const tooLarge = charge.cost > charge.limit ? ' The request is larger than the limit itself.' : '';
    return new LimitExceededError(
      `Rate limit reached for ${what} on ${scope}: Limit ${charge.limit}, Remaining ${state.remaining}, Requested ${charge.cost}.${tooLarge} Please try again in ${resetText(state.resetMs)}.`,
      'rate_limit_exceeded',
      state.resetMs,
      tooLarge === '',
    );
  }

  /** The request ended: its tokens and cost trued up from what it really used and where it ran. */
  private settle(outcome: RequestOutcome): void {
    const list = this.reservations.get(outcome.requestId);
    if (list === undefined) return;
    const i =
      list.length === 1
        ? 0
        : Math.max(
            0,
            list.findIndex((r) => r.principal === outcome.principal),
          );
    const [r] = list.splice(i, 1);
    if (list.length === 0) this.reservations.delete(outcome.requestId);
    if (r.charges.tokens.length === 0 && r.charges.budgets.length === 0) return;
    // The accounting filled in what the backend did not report (counted tokens) and the cost where
    // it ran; a request nothing answered used nothing. Budgets are charged what the ledger records.
    // A cached answer costs its tokens' share `cache.hitCharge` (its cost is already charged that share).
    const share = outcome.cache === 'hit' || outcome.cache === 'semantic' ? this.policy.current.config.cache.hitCharge : 1;
    const input = outcome.inputTokens ?? 0;
    const output = outcome.outputTokens ?? 0;
    this.trueUp(r, share === 1 ? input : Math.round(input * share), share === 1 ? output : Math.round(output * share), outcome.costUsd ?? 0);
  }

  private trueUp(r: Reservation, input: number, output: number, costUsd: number): void {
    const { charges } = r.charges;
    const tenant = r.principal.tenantId;
    const tokens = input + output - (r.promptTokens + r.outputTokens);
    if (tokens !== 0) for (const i of r.charges.tokens) this.trueUps.add(tenant, charges[i].key, tokens);
    if (r.charges.budgets.length === 0) return;
    const usd = microUsd(costUsd);
    if (usd !== r.microUsd) for (const i of r.charges.budgets) this.trueUps.add(tenant, charges[i].key, usd - r.microUsd);
  }

  private reachable(): void {
    if (this.storeUp) return;
    this.storeUp = true;
    this.storeUpGauge.set(1);
    this.log.info({}, 'limit counters reachable again: limits and budgets are enforced');
  }

  /** Logged once per transition, not per request. */
  private unreachable(err: unknown): void {
    if (!this.storeUp) return;
    this.storeUp = false;
    this.storeUpGauge.set(0);
    const { requests, budgets } = this.runtime.config.limits.failMode;
    this.log.error(
      { error: err instanceof Error ? err.message : String(err), failMode: { requests, budgets } },
      `limit counters unreachable: request limits fail ${requests}, budgets fail ${budgets}`,
    );
  }
}

/** OpenAI's rate-limit headers, from the tightest of the principal's request and token counters. */
function rateLimitHeaders(reply: FastifyReply, plan: LimitPlan, verdict: CounterVerdict): void {
  const states = verdict.counters;
  const req = tightest(states, 0, plan.requests.length);
  if (req !== undefined) {
    reply.header('x-ratelimit-limit-requests', String(plan.requests[states.indexOf(req)].limit));
    reply.header('x-ratelimit-remaining-requests', String(req.remaining));
    reply.header('x-ratelimit-reset-requests', resetText(req.resetMs));
  }
  const tok = tightest(states, plan.requests.length, plan.tokens.length);
  if (tok !== undefined) {
    reply.header('x-ratelimit-limit-tokens', String(plan.tokens[states.indexOf(tok) - plan.requests.length].limit));
    reply.header('x-ratelimit-remaining-tokens', String(tok.remaining));
    reply.header('x-ratelimit-reset-tokens', resetText(tok.resetMs));
  }
}
