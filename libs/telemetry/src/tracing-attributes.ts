/**
 * Span attribute names. The GenAI ones follow OpenTelemetry's GenAI semantic conventions, still
 * incubating upstream (so copied here rather than imported from `semantic-conventions/incubating`,
 * as that package advises); `switchyard.*` are Switchyard's own. Never prompt or completion text.
 */
export const GenAiAttr = {
  OPERATION: 'gen_ai.operation.name',
  PROVIDER: 'gen_ai.provider.name',
  /** The older name of gen_ai.provider.name, still what many trace viewers read. */
  SYSTEM: 'gen_ai.system',
  REQUEST_MODEL: 'gen_ai.request.model',
  RESPONSE_MODEL: 'gen_ai.response.model',
  REQUEST_MAX_TOKENS: 'gen_ai.request.max_tokens',
  REQUEST_TEMPERATURE: 'gen_ai.request.temperature',
  REQUEST_TOP_P: 'gen_ai.request.top_p',
  REQUEST_STREAM: 'gen_ai.request.stream',
  INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
} as const;

export const SwitchyardAttr = {
  REQUEST_ID: 'switchyard.request_id',
  TENANT: 'switchyard.tenant.id',
  KEY: 'switchyard.key.id',
  ROUTE: 'switchyard.route',
  BACKEND: 'switchyard.backend',
  TIER: 'switchyard.tier',
  STREAMED: 'switchyard.streamed',
  TTFT_MS: 'switchyard.ttft_ms',
  COST_USD: 'switchyard.cost_usd',
  ATTEMPTS: 'switchyard.attempts',
  PII: 'switchyard.pii.categories',
  /** embedded or remote: where the route was decided. */
  POLICY_MODE: 'switchyard.policy.mode',
  /** The router could not answer: the gateway decided on its own. */
  POLICY_FALLBACK: 'switchyard.policy.fallback',
  CANDIDATES: 'switchyard.route.candidates',
  DROPPED: 'switchyard.route.dropped',
  ATTEMPT: 'switchyard.attempt',
  ATTEMPT_OUTCOME: 'switchyard.attempt.outcome',
  ATTEMPT_STATUS: 'switchyard.attempt.status',
  PANIC: 'switchyard.attempt.panic',
} as const;

/** The router's Decide, as its gRPC spans name it (`rpc.method` is the fully qualified method). */
export const ROUTER_DECIDE_METHOD = 'switchyard.router.v1.Router/Decide';

/** A route decision's attributes, on the gateway's route span and the router's decision span alike. */
export function decisionAttributes(decision: {
  route: string;
  candidates: readonly { backend: string }[];
  dropped: readonly { backend: string }[];
}): Record<string, string | string[]> {
  return {
    [SwitchyardAttr.ROUTE]: decision.route,
    [SwitchyardAttr.CANDIDATES]: decision.candidates.map((c) => c.backend),
    [SwitchyardAttr.DROPPED]: decision.dropped.map((d) => d.backend),
  };
}
