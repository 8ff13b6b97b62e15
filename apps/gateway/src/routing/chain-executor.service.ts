import { Inject, Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import type { BackendAdapter } from '@switchyard/adapters';
import {
  attemptSummary,
  chainFailure,
  EgressBlockedError,
  InvalidRequestError,
  ModelNotFoundError,
  PolicyDeniedError,
  SwitchyardError,
  UpstreamError,
} from '@switchyard/contracts';
import type { RequestFeatures, RouteCandidate, RouteDecision } from '@switchyard/policy';
import { GatewayMetrics, type Logger } from '@switchyard/telemetry';
import { BackendsService } from '../backends/backends.service';
import { RequestTracing, type AttemptTrace } from '../observability/tracing';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { PlacementService } from './placement.service';
import { ProviderKeys } from './provider-keys';
import { roundMs, type RequestContext } from './request-context';

/** What the caller reports when the answer is complete (for a stream: at its end). */
export interface AttemptResult {
  success: boolean;
  status?: number;
  ttftMs?: number;
  outputTokens?: number;
}

export interface Placed<T> {
  result: T;
  candidate: RouteCandidate;
  decision: RouteDecision;
  /** Frees the backend's in-flight slot and records the outcome; safe to call more than once. */
  settle(result: AttemptResult): void;
  /** Frees the slot without judging the backend (the failure was the gateway's own). */
  abandon(): void;
}

/**
 * Asks policy for the ordered chain, then walks it: each target in order until one answers.
 * Connect errors, timeouts, 429 and 5xx move on to the next target; anything else is the
 * answer. Each attempt is logged with its outcome and duration, and fed back to policy.
 */
@Injectable()
export class ChainExecutor {
  private readonly log: Logger;

  constructor(
    @Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime,
    private readonly backends: BackendsService,
    private readonly placement: PlacementService,
    private readonly metrics: GatewayMetrics,
    private readonly providerKeys: ProviderKeys,
    private readonly tracing: RequestTracing,
  ) {
    this.log = runtime.logger.child({ component: 'chain' });
  }

  /** `traced`: the route span's context, when the request is traced. */
  async decide(features: RequestFeatures, traced?: Context): Promise<RouteDecision> {
    let decision = await this.placement.decide(features, traced);
    // A preferred backend that is only busy is worth a short, bounded wait before spilling.
    const queueWaitMs = this.runtime.config.policy.queueWaitMs;
    const spilled = queueWaitMs > 0 ? decision?.candidates.find((c) => c.code === 'spilled_saturated') : undefined;
    if (spilled && (await this.placement.waitForSlot(spilled.backend, queueWaitMs))) decision = await this.placement.decide(features, traced);
    if (!decision) throw new ModelNotFoundError(features.model);
    if (decision.privacy.categories.length > 0) {
      for (const category of decision.privacy.categories) this.metrics.piiFindings.inc({ category, action: decision.privacy.action });
    }
    if (decision.deny) throw new PolicyDeniedError(decision.deny.message, decision.deny.code);
    if (decision.candidates.length === 0) {
      const reasons = decision.dropped.map((d) => `${d.backend}: ${d.reason}`).join('; ');
      if (decision.dropped.some((d) => d.code === 'context_window')) {
        throw new InvalidRequestError(`This model's context windows cannot hold the request (${reasons}).`, 'messages', 'context_length_exceeded');
      }
      const unsupported = decision.dropped.find((d) => d.param !== undefined);
      if (unsupported)
        throw new InvalidRequestError(
          `No backend for model ${features.model} can serve this request (${reasons}).`,
          unsupported.param,
          'unsupported_parameter',
        );
      throw new PolicyDeniedError(`No backend may serve model ${features.model} (${reasons}).`, 'no_allowed_backend');
    }
    return decision;
  }

  /** The request's decision, traced as its route span when the request is traced. */
  route(features: RequestFeatures, ctx: RequestContext): Promise<RouteDecision> {
    const trace = this.tracing.on ? this.tracing.of(ctx.outcome) : undefined;
    return trace === undefined ? this.decide(features) : trace.route(this.placement.mode, (parent) => this.decide(features, parent));
  }

  /**
   * `attempt` must settle only when the upstream has answered (for a stream: its first chunk).
   * `decided`: the request's decision when the caller already asked for it (the cache does, for its key).
   */
  async run<T>(
    features: RequestFeatures,
    ctx: RequestContext,
    attempt: (adapter: BackendAdapter, candidate: RouteCandidate) => Promise<T>,
    decided?: RouteDecision,
  ): Promise<Placed<T>> {
    const trace = this.tracing.on ? this.tracing.of(ctx.outcome) : undefined;
    const decision = decided ?? (await this.route(features, ctx));
    const found = this.providerKeys.of(ctx);
    const keys = found instanceof Promise ? await found : found;
    const outcome = ctx.outcome;
    if (outcome !== undefined) outcome.route = decision.route;
    let last: SwitchyardError | undefined;
    const failed: string[] = [];
    for (let i = 0; i < decision.candidates.length; i++) {
      const candidate = decision.candidates[i];
      if (ctx.signal.aborted) break;
      if (candidate.panic) this.panic(ctx, decision, candidate, i);
      const t0 = performance.now();
      this.placement.begin(candidate.backend);
      let span: AttemptTrace | undefined;
      try {
        let adapter = this.providerKeys.adapterFor(this.backends.get(candidate.backend), keys, ctx);
        if (trace !== undefined) adapter = (span = trace.attempt(adapter.backend, candidate, i + 1)).wrap(adapter);
        const result = await attempt(adapter, candidate);
        span?.answered();
        const ms = performance.now() - t0;
        ctx.upstreamMs += ms;
        if (outcome !== undefined) {
          outcome.attempts.push({ backend: candidate.backend, model: candidate.model, outcome: 'ok', status: 200, ms: roundMs(ms) });
          outcome.backend = candidate.backend;
          outcome.tier = candidate.tier;
        }
        this.metrics.attempts.inc(candidate.backend, 'ok');
        this.log.info(
          {
            requestId: ctx.requestId,
            route: decision.route,
            attempt: i + 1,
            backend: candidate.backend,
            model: candidate.model,
            outcome: 'ok',
            ms: roundMs(ms),
          },
          'upstream attempt',
        );
        let settled = false;
        const settle = (r: AttemptResult): void => {
          if (settled) return;
          settled = true;
          const durationMs = performance.now() - t0;
          span?.settle(r.success, r.status ?? (r.success ? 200 : 502));
          this.placement.settle({
            backend: candidate.backend,
            model: candidate.model,
            success: r.success,
            status: r.status ?? (r.success ? 200 : 502),
            ttftMs: r.ttftMs ?? ms,
            outputTokens: r.outputTokens,
            durationMs,
          });
        };
        const abandon = (): void => {
          if (settled) return;
          settled = true;
          span?.abandon();
          this.placement.abandon(candidate.backend);
        };
        return { result, candidate, decision, settle, abandon };
      } catch (err) {
        const ms = performance.now() - t0;
        ctx.upstreamMs += ms;
        if (!(err instanceof SwitchyardError)) {
          // Failed on this side (adapters report every backend failure as an UpstreamError): that
          // says nothing about the backend, so it is not judged, and the client gets a clean 500.
          this.placement.abandon(candidate.backend);
          span?.fail('internal', 500);
          this.log.error({ requestId: ctx.requestId, backend: candidate.backend, err }, 'gateway failed while calling a backend');
          throw err;
        }
        const error = err;
        const failure = error instanceof UpstreamError ? error.failure : error instanceof EgressBlockedError ? 'egress_blocked' : undefined;
        // A call the egress check stopped never left: the next target may still serve the request.
        const retryable = (error instanceof UpstreamError && error.retryable) || failure === 'egress_blocked';
        this.metrics.attempts.inc(candidate.backend, failure ?? 'error');
        span?.fail(failure ?? 'error', error.status);
        // A client that went away, or a call that never left, says nothing about the backend.
        if (failure === 'aborted' || failure === 'egress_blocked') this.placement.abandon(candidate.backend);
        else this.placement.settle({ backend: candidate.backend, model: candidate.model, success: false, status: error.status, durationMs: ms });
        this.log[retryable ? 'warn' : 'info'](
          {
            requestId: ctx.requestId,
            route: decision.route,
            attempt: i + 1,
            backend: candidate.backend,
            model: candidate.model,
            outcome: 'error',
            status: error.status,
            failure,
            detail: error instanceof UpstreamError ? error.detail : undefined,
            ms: roundMs(ms),
            next: retryable ? (decision.candidates[i + 1]?.backend ?? null) : null,
          },
          `upstream attempt failed: ${error.message}`,
        );
        last = error;
        if (outcome !== undefined) {
          outcome.attempts.push({ backend: candidate.backend, model: candidate.model, outcome: failure ?? 'error', status: error.status, ms: roundMs(ms) });
          outcome.backend = candidate.backend;
          outcome.tier = candidate.tier;
        }
        if (failure !== 'aborted') failed.push(`${candidate.backend}: ${attemptSummary(error)}`);
        if (!retryable) break;
      }
    }
    if (ctx.signal.aborted && (ctx.signal.reason as Error | undefined)?.name === 'TimeoutError') {
      throw new UpstreamError({
        backend: last instanceof UpstreamError ? last.backend : 'none',
        failure: 'timeout',
        message: `No backend answered within the deadline for model ${features.model}${failed.length > 0 ? ` (${failed.join('; ')})` : ''}.`,
      });
    }
    // One attempt speaks for itself; several are summarised, so the client sees why each failed.
    if (last && failed.length > 1) throw chainFailure(last, failed, features.model);
    throw last ?? new UpstreamError({ backend: 'none', failure: 'connect', message: `No backend is available for model ${features.model}.` });
  }

  /** Panic routing: a backend its breaker or probes excluded is tried because everything before it failed. */
  private panic(ctx: RequestContext, decision: RouteDecision, candidate: RouteCandidate, i: number): void {
    this.metrics.panicRouting.inc({ backend: candidate.backend });
    this.log.warn(
      { requestId: ctx.requestId, route: decision.route, attempt: i + 1, backend: candidate.backend, model: candidate.model, reason: candidate.reason },
      `panic routing: every candidate before ${candidate.backend} failed or was excluded; trying it anyway`,
    );
  }
}
