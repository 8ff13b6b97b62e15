import { Injectable } from '@nestjs/common';
import type { RequestOutcome } from '@switchyard/contracts';
import { PolicyRuntime } from '@switchyard/runtime';
import { GatewayMetrics } from '@switchyard/telemetry';
import { Drain } from '../runtime/drain';
import { OutcomeBus } from './outcome-bus';

/**
 * The error codes Switchyard itself answers with; anything else (an upstream's own code passed
 * through) is counted as `other`, so `switchyard_errors_total` keeps a bounded set of series.
 */
export const ERROR_CODES: ReadonlySet<string> = new Set([
  // An error's type stands in for its code when it has none.
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'api_error',
  'invalid_api_key',
  'too_many_invalid_keys',
  'model_not_found',
  'unknown_url',
  'invalid_json',
  'nesting_too_deep',
  'request_timeout',
  'context_length_exceeded',
  'unsupported_parameter',
  'no_allowed_backend',
  'policy_denied',
  'pii_local_only',
  'pii_denied',
  'pii_egress_blocked',
  'pii_scan_failed',
  'rate_limit_exceeded',
  'budget_exceeded',
  'limits_unavailable',
  'service_unavailable',
  'store_unavailable',
  'timeout',
  'upstream_error',
  'provider_credential_unreadable',
  'client_closed',
]);

/**
 * Every request's metrics from its one outcome: a few map bumps per request (the tallies), the
 * rest at scrape time. `model` is the name asked for when the config serves it, else `other`, so
 * clients cannot grow the series without bound.
 */
@Injectable()
export class OutcomeMetrics {
  constructor(
    bus: OutcomeBus,
    private readonly metrics: GatewayMetrics,
    private readonly policy: PolicyRuntime,
    drain: Drain,
  ) {
    metrics.inFlight = () => drain.apiInFlight;
    // Off: the request-path part of metrics is skipped whole (the bench measures what it costs).
    if (policy.current.config.metrics.enabled) bus.subscribe((o) => this.count(o));
  }

  private count(o: RequestOutcome): void {
    const m = this.metrics;
    const model = o.model === undefined ? 'none' : this.policy.current.engine.catalog.resolve(o.model) !== undefined ? o.model : 'other';
    const backend = o.backend ?? 'none';
    const tier = o.tier ?? 'none';
    // Passed always; the tallies drop it unless the tenant label is on.
    const tenant = o.principal?.tenantId ?? 'none';
    m.requests.inc(model, backend, tier, String(o.status), tenant);
    if (o.inputTokens) m.tokens.add(o.inputTokens, 'input', model, backend, tier, tenant);
    if (o.outputTokens) m.tokens.add(o.outputTokens, 'output', model, backend, tier, tenant);
    const cost = o.costUsd ?? 0;
    if (o.costUsd !== undefined) m.cost.add(cost, model, backend, tier, tenant);
    if (o.referenceCostUsd !== undefined) {
      m.referenceCost.add(o.referenceCostUsd, model, backend, tier, tenant);
      m.savings.add(o.referenceCostUsd - cost, model, backend, tier, tenant);
    }
    const served = [model, backend, tier];
    m.duration.observe(served, o.latencyMs / 1000);
    if (o.ttftMs !== undefined) m.ttft.observe(served, o.ttftMs / 1000);
    if (o.errorCode !== undefined) m.errors.inc(ERROR_CODES.has(o.errorCode) ? o.errorCode : 'other');
    if (o.attempts.length > 1) m.fallbacks.inc(model);
  }
}
