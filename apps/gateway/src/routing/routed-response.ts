import type { RouteCandidate, RouteDecision } from '@switchyard/policy';
import { serverTiming, type RequestContext } from './request-context';

/** The headers that say where a request ran and what the gateway cost. */
export function routedHeaders(placed: { candidate: RouteCandidate; decision: RouteDecision }, ctx: RequestContext): Record<string, string> {
  return {
    'x-switchyard-backend': placed.candidate.backend,
    'x-switchyard-tier': placed.candidate.tier,
    'x-switchyard-route': placed.decision.route,
    'server-timing': serverTiming(ctx),
  };
}
