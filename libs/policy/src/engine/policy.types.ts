import type { PiiAction, Strategy, Tier } from '@switchyard/contracts';

/** What the engine knows of a request. Built once per request by the gateway; no message text. */
export interface RequestFeatures {
  tenant?: string;
  keyId?: string;
  /** The tenant's privacy stance, over the config's `policy.privacy.onPii`; unset: the config's. */
  onPii?: PiiAction;
  /** The model name the client asked for. */
  model: string;
  /** Estimated prompt tokens. */
  promptTokens: number;
  maxTokens?: number;
  stream: boolean;
  tags: readonly string[];
  /** Request headers, lower-case names, for rule matching. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The client's latency budget (`x-switchyard-max-latency-ms`). */
  maxLatencyMs?: number;
  /** PII categories found in the prompt; never the values. */
  pii: readonly string[];
  /** Content no detector can read (image, audio, file, token_ids): kept local under a privacy policy (`privacy.unscannable`). */
  unscannable?: readonly string[];
  // What the request needs of a backend beyond text in, text out; each set only when it applies.
  /** Choices asked (`n`), when more than one. */
  n?: number;
  tools?: boolean;
  /** `response_format` json_object or json_schema. */
  jsonMode?: boolean;
  /** Image parts in the messages. */
  images?: boolean;
  /** `logprobs` (or `top_logprobs`) asked. */
  logprobs?: boolean;
  /** An embeddings request. */
  embeddings?: boolean;
  /** Embeddings input given as token ids. */
  tokenInput?: boolean;
}

/**
 * Which request features a model's decisions read beyond those every decision reads (model,
 * prompt and max tokens, latency budget, PII categories, privacy stance, unscannable content,
 * capability needs): two requests equal on all of them get the same decision on the same state.
 */
export interface DecisionScope {
  /** Some rule matches on the tenant. */
  tenant: boolean;
  /** Some rule matches on tags. */
  tags: boolean;
  /** Request headers (lower case) some rule matches on. */
  headers: readonly string[];
  /** Backends whose in-flight counts the decision weighs: the model's whole chain. */
  inFlight: readonly string[];
  /**
   * Some of the model's decisions may be weighted draws (the config's strategy, or a rule's that
   * can match the model). A draw is never reused, and identical questions must not share one.
   */
  weighted: boolean;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

/** One backend's live state as the engine sees it. */
export interface BackendSnapshot {
  /** From active probes; a backend never probed counts as healthy. */
  healthy: boolean;
  breaker: BreakerState;
  inFlight: number;
  /** EWMA of time to first token, ms; undefined until measured. */
  ttftMs?: number;
  /** EWMA of output tokens per second; undefined until measured. */
  tokensPerSec?: number;
  /** When it last failed an attempt or a probe (epoch ms); undefined when it never did, as far as this state knows. */
  lastFailureAt?: number;
}

export interface StateView {
  backend(name: string): BackendSnapshot;
  /** The breaker of one model on one backend (the backend's own breaker wins when open). */
  breaker(backend: string, model: string): BreakerState;
}

/** Why a candidate stands where it stands, for code (the `reason` text is for people). */
export type PlaceCode = 'preferred' | 'after_preferred' | 'spilled_saturated' | 'spilled_latency' | 'ranked' | 'weighted' | 'panic';

/** Why a target was dropped, for code (the `reason` text is for people). */
export type DropCode = 'rule' | 'privacy' | 'capability' | 'context_window' | 'unhealthy' | 'circuit_open';

export interface RouteCandidate {
  backend: string;
  /** The backend's own model id. */
  model: string;
  tier: Tier;
  /** Cloud call that must carry the prompt redacted (privacy `redact`). */
  redact?: boolean;
  /** Why it stands where it stands. */
  reason?: string;
  code?: PlaceCode;
  /** Excluded by a breaker or probes, and tried anyway once every candidate before it has failed. */
  panic?: boolean;
  predictedMs?: number;
  estimatedCostUsd?: number;
}

export interface DroppedCandidate {
  backend: string;
  model: string;
  tier: Tier;
  reason: string;
  code?: DropCode;
  /** The request field it could not serve (a capability it lacks). */
  param?: string;
}

export interface PrivacyDecision {
  categories: readonly string[];
  action: 'none' | 'local-only' | 'redact' | 'deny' | 'allow';
  /** Unscannable content that kept the request local. */
  unscannable?: readonly string[];
}

export interface RouteDecision {
  /** What placed the request: the matching rule's name, `default`, or `direct`... (see PolicyEngine). */
  route: string;
  strategy: Strategy;
  candidates: RouteCandidate[];
  dropped: DroppedCandidate[];
  privacy: PrivacyDecision;
  /** Set when the request must be refused (403); candidates are then empty. */
  deny?: { code: string; message: string };
}
