import type { Principal } from './principal';

export type CacheResult = 'hit' | 'semantic' | 'miss' | 'bypass';

/** One attempt of a request at one backend. */
export interface AttemptRecord {
  backend: string;
  model: string;
  /** ok, or the failure kind (connect, timeout, server_error, egress_blocked, ...). */
  outcome: string;
  status: number;
  ms: number;
}

/**
 * How one `/v1` request ended: exactly one per request, whatever happened (success, upstream
 * failure, validation error, client abort, a stream failing after its first chunk), emitted from
 * one place. Metrics subscribe to it now; limits, the ledger and the cache next.
 */
export interface RequestOutcome {
  requestId: string;
  /** When the request arrived, in ms since the epoch: the ledger's time (and, with the request id, its identity). */
  startedAt: number;
  /** Undefined when the request never got past authentication. */
  principal?: Principal;
  /** The HTTP method. */
  method: string;
  /** The route's path, e.g. `/v1/chat/completions`. */
  endpoint: string;
  /** The model the client asked for, when its body named one. */
  model?: string;
  /** The rule or chain that placed it (`x-switchyard-route`), when it was placed. */
  route?: string;
  /** The backend and tier that answered (the last attempt's, when none did). */
  backend?: string;
  tier?: string;
  attempts: AttemptRecord[];
  /** The final HTTP status the client got; for a stream that failed after its first chunk, the failure's; 499 for a client that went away. */
  status: number;
  /** The error code the client read (`model_not_found`, `pii_local_only`, `client_closed`, ...), when it failed. */
  errorCode?: string;
  inputTokens?: number;
  outputTokens?: number;
  streamed: boolean;
  ttftMs?: number;
  latencyMs: number;
  /** PII categories found (never values). */
  pii: readonly string[];
  /** True when Switchyard counted the tokens itself (the backend reported none: a stream without usage, a client abort). */
  tokensCounted?: boolean;
  /** USD the request cost where it ran, by the one cost function (libs/policy); 0 when nothing served it. */
  costUsd?: number;
  /**
   * USD the same tokens would have cost all-cloud: at `usage.reference` when configured, else at
   * the cheapest cloud target that could have served it (its own cost when a cloud backend did).
   * Savings are this minus `costUsd`.
   */
  referenceCostUsd?: number;
  /** The client's own end-user id (OpenAI's `user`, Anthropic's `metadata.user_id`). */
  user?: string;
  /** The client's tags (`x-switchyard-tags: a,b`). */
  tags?: readonly string[];
  /**
   * What the response cache did: `hit` (exact), `semantic` (a near match), `miss` (looked up, then
   * stored), `bypass` (not looked up: a directive, a sampled request); unset when the cache is off.
   */
  cache?: CacheResult;
  /** On a hit: USD the cached answer saved, what asking its backend again would have cost minus what the hit is charged. */
  cacheSavedUsd?: number;
  /** The W3C trace id of the request's span, when tracing is on. */
  traceId?: string;
}
