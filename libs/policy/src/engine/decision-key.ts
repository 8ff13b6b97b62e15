import type { DecisionScope, RequestFeatures, RouteDecision } from './policy.types';

/**
 * A string equal for two requests exactly when the engine, under `scope`, cannot tell them apart:
 * everything it always reads (privacy state included: PII categories, stance, unscannable content),
 * what the scope adds, and the in-flight counts it weighs. Requests with the same key get the same
 * decision on the same state, so a decision may be reused for the key it was made under.
 */
export function decisionKey(f: RequestFeatures, scope: DecisionScope, inFlight: Readonly<Record<string, number>>): string {
  const parts: unknown[] = [
    f.model,
    f.promptTokens,
    f.maxTokens ?? null,
    f.maxLatencyMs ?? null,
    f.pii,
    f.onPii ?? null,
    f.unscannable ?? null,
    f.n ?? null,
    f.tools === true,
    f.jsonMode === true,
    f.images === true,
    f.logprobs === true,
    f.embeddings === true,
    f.tokenInput === true,
    scope.tenant ? (f.tenant ?? null) : 0,
    scope.tags ? f.tags : 0,
  ];
  for (const h of scope.headers) parts.push(f.headers[h] ?? null);
  for (const b of scope.inFlight) parts.push(Object.hasOwn(inFlight, b) ? inFlight[b] : 0);
  return JSON.stringify(parts);
}

/** Decisions that must not be reused: a weighted draw is meant to differ from request to request. */
export function reusable(d: RouteDecision | undefined): boolean {
  return d === undefined || d.strategy !== 'weighted';
}
