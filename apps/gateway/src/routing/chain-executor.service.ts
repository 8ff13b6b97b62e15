import { Inject, Injectable } from '@nestjs/common';
import type { BackendAdapter } from '@switchyard/adapters';
import { ModelNotFoundError, SwitchyardError, UpstreamError } from '@switchyard/contracts';
import { ModelCatalog, type RouteCandidate, type RouteDecision } from '@switchyard/policy';
import type { Logger } from '@switchyard/telemetry';
import { BackendsService } from '../backends/backends.service';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import type { RequestContext } from './request-context';

export interface Placed<T> {
  result: T;
  candidate: RouteCandidate;
  decision: RouteDecision;
}

/**
 * Walks a model's fallback chain: each target in order until one answers. Connect errors,
 * timeouts, 429 and 5xx move on to the next target; anything else is the answer. Each attempt
 * is logged with its outcome and duration.
 */
@Injectable()
export class ChainExecutor {
  readonly catalog: ModelCatalog;
  private readonly log: Logger;

  constructor(
    @Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime,
    private readonly backends: BackendsService,
  ) {
    this.catalog = new ModelCatalog(runtime.config);
    this.log = runtime.logger.child({ component: 'chain' });
  }

  decide(model: string): RouteDecision {
    const decision = this.catalog.resolve(model);
    if (!decision) throw new ModelNotFoundError(model);
    return decision;
  }

  /** `attempt` must settle only when the upstream has answered (for a stream: its first chunk). */
  async run<T>(model: string, ctx: RequestContext, attempt: (adapter: BackendAdapter, model: string) => Promise<T>): Promise<Placed<T>> {
    const decision = this.decide(model);
    let last: SwitchyardError | undefined;
    for (let i = 0; i < decision.candidates.length; i++) {
      const candidate = decision.candidates[i];
      if (ctx.signal.aborted) break;
      const t0 = performance.now();
      try {
        const result = await attempt(this.backends.get(candidate.backend), candidate.model);
        const ms = performance.now() - t0;
        ctx.upstreamMs += ms;
        this.log.info(
          { requestId: ctx.requestId, route: decision.route, attempt: i + 1, backend: candidate.backend, model: candidate.model, outcome: 'ok', ms: round(ms) },
          'upstream attempt',
        );
        return { result, candidate, decision };
      } catch (err) {
        const ms = performance.now() - t0;
        ctx.upstreamMs += ms;
        const error =
          err instanceof SwitchyardError
            ? err
            : new UpstreamError({
                backend: candidate.backend,
                failure: 'protocol',
                message: `Backend ${candidate.backend} failed: ${(err as Error).message}`,
                cause: err,
              });
        const failure = error instanceof UpstreamError ? error.failure : undefined;
        const retryable = error instanceof UpstreamError && error.retryable;
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
            ms: round(ms),
            next: retryable ? (decision.candidates[i + 1]?.backend ?? null) : null,
          },
          `upstream attempt failed: ${error.message}`,
        );
        last = error;
        if (!retryable) break;
      }
    }
    if (ctx.signal.aborted && (ctx.signal.reason as Error | undefined)?.name === 'TimeoutError') {
      throw new UpstreamError({
        backend: last instanceof UpstreamError ? last.backend : 'none',
        failure: 'timeout',
        message: `No backend answered within the deadline for model ${model}.`,
      });
    }
    throw last ?? new UpstreamError({ backend: 'none', failure: 'connect', message: `No backend is available for model ${model}.` });
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
