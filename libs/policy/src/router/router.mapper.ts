import type {
  AttemptOutcome,
  BackendSnapshot,
  BreakerState,
  DecisionScope,
  DropCode,
  DroppedCandidate,
  PlaceCode,
  PrivacyDecision,
  RequestFeatures,
  RouteCandidate,
  RouteDecision,
} from '../index';
import { PII_ACTIONS, type PiiAction, type Strategy, type Tier } from '@switchyard/contracts';
import type {
  BackendStateMsg,
  CandidateMsg,
  DecideRequestMsg,
  DecideResponseMsg,
  DecisionScopeMsg,
  DroppedMsg,
  OutcomeMsg,
  PrivacyMsg,
} from '@switchyard/contracts/router';

/*
 * The only place router proto messages meet policy types (policy depends on contracts, never
 * the other way). Both directions run on the gateway's hot path, so
 * they build each object once and copy nothing they can hand over.
 */

const UINT32_MAX = 0xffff_ffff;

/** protobufjs encodes uint32 as `n >>> 0`: a negative or fractional count would arrive garbled. */
function u32(n: number): number {
  return n <= 0 || !Number.isFinite(n) ? 0 : n >= UINT32_MAX ? UINT32_MAX : Math.floor(n);
}

// ---------------------------------------------------------------------------------------------
// Decide
// ---------------------------------------------------------------------------------------------

export function toDecideRequest(f: RequestFeatures, inFlight: Readonly<Record<string, number>>): DecideRequestMsg {
  const headers: Record<string, string> = {};
  for (const name in f.headers) {
    const v = f.headers[name];
    if (v !== undefined) headers[name] = v;
  }
  // Zero counts are the default on the other side; sending them is wasted bytes.
  const counts: Record<string, number> = {};
  for (const name in inFlight) {
    const n = inFlight[name];
    if (n > 0) counts[name] = u32(n);
  }
  const msg: DecideRequestMsg = {
    tenant: f.tenant ?? '',
    keyId: f.keyId ?? '',
    model: f.model,
    promptTokens: u32(f.promptTokens),
    stream: f.stream,
    // The serializer only reads these arrays.
    tags: f.tags as string[],
    headers,
    pii: f.pii as string[],
    inFlight: counts,
    unscannable: (f.unscannable ?? []) as string[],
    onPii: f.onPii ?? '',
    n: f.n === undefined ? 0 : u32(f.n),
    tools: f.tools === true,
    jsonMode: f.jsonMode === true,
    images: f.images === true,
    logprobs: f.logprobs === true,
    embeddings: f.embeddings === true,
    tokenInput: f.tokenInput === true,
  };
  if (f.maxTokens !== undefined) msg.maxTokens = u32(f.maxTokens);
  if (f.maxLatencyMs !== undefined) msg.maxLatencyMs = u32(f.maxLatencyMs);
  return msg;
}

export function fromDecideRequest(req: DecideRequestMsg): { features: RequestFeatures; inFlight: Record<string, number> } {
  const features: RequestFeatures = {
    model: req.model,
    promptTokens: req.promptTokens,
    stream: req.stream,
    tags: req.tags,
    headers: req.headers,
    pii: req.pii,
  };
  // proto3 strings cannot be absent; '' means the gateway had none.
  if (req.unscannable.length > 0) features.unscannable = req.unscannable;
  if (req.tenant !== '') features.tenant = req.tenant;
  if (req.keyId !== '') features.keyId = req.keyId;
  // A stance this side does not know (a newer gateway) fails closed.
  if (req.onPii !== '') features.onPii = (PII_ACTIONS as readonly string[]).includes(req.onPii) ? (req.onPii as PiiAction) : 'deny';
  if (req.maxTokens !== undefined) features.maxTokens = req.maxTokens;
  if (req.maxLatencyMs !== undefined) features.maxLatencyMs = req.maxLatencyMs;
  // Needs travel as proto3 defaults (0, false): set on this side only when they apply, as the gateway sets them.
  if (req.n > 1) features.n = req.n;
  if (req.tools) features.tools = true;
  if (req.jsonMode) features.jsonMode = true;
  if (req.images) features.images = true;
  if (req.logprobs) features.logprobs = true;
  if (req.embeddings) features.embeddings = true;
  if (req.tokenInput) features.tokenInput = true;
  return { features, inFlight: req.inFlight };
}

const MODEL_NOT_FOUND: Readonly<DecideResponseMsg> = Object.freeze({
  modelFound: false,
  route: '',
  strategy: '',
  candidates: [],
  dropped: [],
  privacy: null,
  stateVersion: '',
});

/** What lets a gateway reuse a decision: the state it was made on, and what of the request it read. */
export interface DecisionBasis {
  stateVersion: string;
  scope: DecisionScope;
}

export function toDecideResponse(d: RouteDecision | undefined, basis?: DecisionBasis): DecideResponseMsg {
  let res: DecideResponseMsg;
  if (!d) {
    if (!basis) return MODEL_NOT_FOUND;
    res = { ...MODEL_NOT_FOUND };
  } else {
    res = {
      modelFound: true,
      route: d.route,
      strategy: d.strategy,
      candidates: d.candidates.map(toCandidate),
      dropped: d.dropped.map(toDropped),
      privacy: { categories: d.privacy.categories as string[], action: d.privacy.action, unscannable: (d.privacy.unscannable ?? []) as string[] },
      stateVersion: '',
    };
    if (d.deny) res.deny = { code: d.deny.code, message: d.deny.message };
  }
  if (basis) {
    res.stateVersion = basis.stateVersion;
    const { tenant, tags, headers, inFlight, weighted } = basis.scope;
    res.scope = { tenant, tags, headers: headers as string[], inFlight: inFlight as string[], weighted };
  }
  return res;
}

/** The basis a router sent with its decision; undefined when it sent none (the decision may not be reused). */
export function fromDecisionBasis(res: DecideResponseMsg): DecisionBasis | undefined {
  const s: DecisionScopeMsg | undefined = res.scope ?? undefined;
  if (res.stateVersion === '' || !s) return undefined;
  return { stateVersion: res.stateVersion, scope: { tenant: s.tenant, tags: s.tags, headers: s.headers, inFlight: s.inFlight, weighted: s.weighted } };
}

/** undefined when the router did not know the model (the gateway answers 404 model_not_found). */
export function fromDecideResponse(res: DecideResponseMsg): RouteDecision | undefined {
  if (!res.modelFound) return undefined;
  const decision: RouteDecision = {
    route: res.route,
    strategy: res.strategy as Strategy,
    candidates: res.candidates.map(fromCandidate),
    dropped: res.dropped.map(fromDropped),
    privacy: res.privacy ? fromPrivacy(res.privacy) : { categories: [], action: 'none' },
  };
  if (res.deny) decision.deny = { code: res.deny.code, message: res.deny.message };
  return decision;
}

function fromPrivacy(p: PrivacyMsg): PrivacyDecision {
  const privacy: PrivacyDecision = { categories: p.categories, action: p.action as PrivacyDecision['action'] };
  if (p.unscannable.length > 0) privacy.unscannable = p.unscannable;
  return privacy;
}

function toCandidate(c: RouteCandidate): CandidateMsg {
  const msg: CandidateMsg = {
    backend: c.backend,
    model: c.model,
    tier: c.tier,
    redact: c.redact === true,
    reason: c.reason ?? '',
    panic: c.panic === true,
    code: c.code ?? '',
  };
  if (c.predictedMs !== undefined) msg.predictedMs = c.predictedMs;
  if (c.estimatedCostUsd !== undefined) msg.estimatedCostUsd = c.estimatedCostUsd;
  return msg;
}

function fromCandidate(m: CandidateMsg): RouteCandidate {
  const c: RouteCandidate = { backend: m.backend, model: m.model, tier: m.tier as Tier };
  if (m.redact) c.redact = true;
  if (m.panic) c.panic = true;
  if (m.reason !== '') c.reason = m.reason;
  if (m.code !== '') c.code = m.code as PlaceCode;
  if (m.predictedMs !== undefined) c.predictedMs = m.predictedMs;
  if (m.estimatedCostUsd !== undefined) c.estimatedCostUsd = m.estimatedCostUsd;
  return c;
}

function toDropped(d: DroppedCandidate): DroppedMsg {
  return { backend: d.backend, model: d.model, tier: d.tier, reason: d.reason, param: d.param ?? '', code: d.code ?? '' };
}

function fromDropped(m: DroppedMsg): DroppedCandidate {
  const d: DroppedCandidate = { backend: m.backend, model: m.model, tier: m.tier as Tier, reason: m.reason };
  if (m.param !== '') d.param = m.param;
  if (m.code !== '') d.code = m.code as DropCode;
  return d;
}

// ---------------------------------------------------------------------------------------------
// ReportOutcomes
// ---------------------------------------------------------------------------------------------

export function toOutcome(o: AttemptOutcome): OutcomeMsg {
  const msg: OutcomeMsg = { backend: o.backend, model: o.model, success: o.success, status: u32(o.status) };
  if (o.ttftMs !== undefined) msg.ttftMs = o.ttftMs;
  if (o.outputTokens !== undefined) msg.outputTokens = u32(o.outputTokens);
  if (o.durationMs !== undefined) msg.durationMs = o.durationMs;
  return msg;
}

export function fromOutcome(m: OutcomeMsg): AttemptOutcome {
  const o: AttemptOutcome = { backend: m.backend, model: m.model, success: m.success, status: m.status };
  if (m.ttftMs !== undefined) o.ttftMs = m.ttftMs;
  if (m.outputTokens !== undefined) o.outputTokens = m.outputTokens;
  if (m.durationMs !== undefined) o.durationMs = m.durationMs;
  return o;
}

// ---------------------------------------------------------------------------------------------
// WatchBackends
// ---------------------------------------------------------------------------------------------

/** One backend's state as the router publishes it (and a gateway applies it to its own registry). */
export interface BackendStateInfo {
  name: string;
  tier: Tier;
  snapshot: BackendSnapshot;
  /** The last probe error while the backend is failing probes. */
  lastError?: string;
  /** Unix ms when the backend's breaker opened; set while it is open or half-open. */
  breakerOpenedAt?: number;
}

export function toBackendState(s: BackendStateInfo): BackendStateMsg {
  const msg: BackendStateMsg = {
    name: s.name,
    tier: s.tier,
    healthy: s.snapshot.healthy,
    breaker: s.snapshot.breaker,
    inFlight: u32(s.snapshot.inFlight),
    lastError: s.lastError ?? '',
    breakerOpenedAtUnixMs: s.breakerOpenedAt ?? 0,
  };
  if (s.snapshot.ttftMs !== undefined) msg.ttftMs = s.snapshot.ttftMs;
  if (s.snapshot.tokensPerSec !== undefined) msg.tokensPerSec = s.snapshot.tokensPerSec;
  return msg;
}

export function fromBackendState(m: BackendStateMsg): BackendStateInfo {
  const snapshot: BackendSnapshot = { healthy: m.healthy, breaker: m.breaker as BreakerState, inFlight: m.inFlight };
  if (m.ttftMs !== undefined) snapshot.ttftMs = m.ttftMs;
  if (m.tokensPerSec !== undefined) snapshot.tokensPerSec = m.tokensPerSec;
  const info: BackendStateInfo = { name: m.name, tier: m.tier as Tier, snapshot };
  if (m.lastError !== '') info.lastError = m.lastError;
  if (m.breakerOpenedAtUnixMs !== 0) info.breakerOpenedAt = m.breakerOpenedAtUnixMs;
  return info;
}
