import type { RouteCandidate, RouteDecision } from '@switchyard/policy';
import type { GatewayMetrics } from '@switchyard/telemetry';
import { gatewayMs, serverTiming, type RequestContext } from './request-context';

/** The headers that say where a request ran and what the gateway cost (the request itself is counted from its outcome). */
export function routedHeaders(
  placed: { candidate: RouteCandidate; decision: RouteDecision },
  ctx: RequestContext,
  metrics: GatewayMetrics,
): Record<string, string> {
  const { candidate, decision } = placed;
  metrics.overhead.observe(decision.route, gatewayMs(ctx) / 1000);
  return {
    'x-switchyard-backend': candidate.backend,
    'x-switchyard-tier': candidate.tier,
    'x-switchyard-route': decision.route,
    'server-timing': serverTiming(ctx),
  };
}
