import type { MethodDefinition, Options, PackageDefinition } from '@grpc/proto-loader';

/*
 * The router's gRPC contract, loaded from the .proto files (the single source of truth) and typed
 * here, once. Everything that speaks to or serves the router uses these paths, these loader options
 * and these message types; `router.mapper.ts` is the only place they meet the policy types.
 * `router.proto.spec.ts` checks the interfaces below field by field against the loaded descriptors.
 */

export const ROUTER_PACKAGE = 'switchyard.router.v1';
export const HEALTH_PACKAGE = 'grpc.health.v1';
/** Fully qualified service names, as grpc.health.v1 and the package definition name them. */
export const ROUTER_SERVICE = `${ROUTER_PACKAGE}.Router`;
export const HEALTH_SERVICE = `${HEALTH_PACKAGE}.Health`;

/** The .proto files, relative to the proto directory (the repo's `libs/contracts/proto`); libs/runtime loads them. */
export const ROUTER_FILE = 'switchyard/router/v1/router.proto';
export const HEALTH_FILE = 'grpc/health/v1/health.proto';
export const PROTO_SUBDIR = 'libs/contracts/proto';

/**
 * How every side loads the protos. With these options proto-loader delivers camelCase fields,
 * int64/uint64 as JS numbers, enums as their names, proto3 defaults filled in for plain fields,
 * `optional` fields absent when unset (and `_field: 'field'` when set).
 */
export const PROTO_LOADER_OPTIONS: Readonly<Options> = Object.freeze({
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
});

export interface RouterProtoFiles {
  /** The directory holding `switchyard/...` and `grpc/...` (the repo's `libs/contracts/proto`). */
  dir: string;
  router: string;
  health: string;
}

// ---------------------------------------------------------------------------------------------
// Messages, exactly as proto-loader delivers them with PROTO_LOADER_OPTIONS. The same shapes are
// accepted when serialising (the `_field` markers are then ignored and may be left out).
// ---------------------------------------------------------------------------------------------

/** switchyard.router.v1.DecideRequest */
export interface DecideRequestMsg {
  tenant: string;
  keyId: string;
  model: string;
  promptTokens: number;
  maxTokens?: number;
  _maxTokens?: 'maxTokens';
  stream: boolean;
  tags: string[];
  headers: Record<string, string>;
  maxLatencyMs?: number;
  _maxLatencyMs?: 'maxLatencyMs';
  pii: string[];
  inFlight: Record<string, number>;
  unscannable: string[];
  /** The tenant's privacy stance; '' for the config's. */
  onPii: string;
  n: number;
  tools: boolean;
  jsonMode: boolean;
  images: boolean;
  logprobs: boolean;
  embeddings: boolean;
  tokenInput: boolean;
}

/** switchyard.router.v1.Candidate */
export interface CandidateMsg {
  backend: string;
  model: string;
  tier: string;
  redact: boolean;
  reason: string;
  predictedMs?: number;
  _predictedMs?: 'predictedMs';
  estimatedCostUsd?: number;
  _estimatedCostUsd?: 'estimatedCostUsd';
  panic: boolean;
  code: string;
}

/** switchyard.router.v1.Dropped */
export interface DroppedMsg {
  backend: string;
  model: string;
  tier: string;
  reason: string;
  param: string;
  code: string;
}

/** switchyard.router.v1.Privacy */
export interface PrivacyMsg {
  categories: string[];
  action: string;
  unscannable: string[];
}

/** switchyard.router.v1.Deny */
export interface DenyMsg {
  code: string;
  message: string;
}

/** switchyard.router.v1.DecideCall */
export interface DecideCallMsg {
  id: number;
  request: DecideRequestMsg;
}

/** switchyard.router.v1.DecideResult */
export interface DecideResultMsg {
  id: number;
  /** Absent (null) when `error` is set. */
  response: DecideResponseMsg | null;
  error: string;
}

/** switchyard.router.v1.DecideResponse */
export interface DecideResponseMsg {
  modelFound: boolean;
  route: string;
  strategy: string;
  candidates: CandidateMsg[];
  dropped: DroppedMsg[];
  /** A singular message field: `null` when the sender left it out. */
  privacy: PrivacyMsg | null;
  deny?: DenyMsg;
  _deny?: 'deny';
  /** '' from a router that does not version its state. */
  stateVersion: string;
  /** Absent: the decision may not be reused. */
  scope?: DecisionScopeMsg;
  _scope?: 'scope';
}

/** switchyard.router.v1.DecisionScope */
export interface DecisionScopeMsg {
  tenant: boolean;
  tags: boolean;
  headers: string[];
  inFlight: string[];
  weighted: boolean;
}

/** switchyard.router.v1.Outcome */
export interface OutcomeMsg {
  backend: string;
  model: string;
  success: boolean;
  status: number;
  ttftMs?: number;
  _ttftMs?: 'ttftMs';
  outputTokens?: number;
  _outputTokens?: 'outputTokens';
  durationMs?: number;
  _durationMs?: 'durationMs';
}

/** switchyard.router.v1.OutcomeBatch */
export interface OutcomeBatchMsg {
  outcomes: OutcomeMsg[];
}

/** switchyard.router.v1.ReportSummary (uint64 as a number) */
export interface ReportSummaryMsg {
  received: number;
}

/** switchyard.router.v1.WatchBackendsRequest */
export type WatchBackendsRequestMsg = Record<string, never>;

/** switchyard.router.v1.BackendState */
export interface BackendStateMsg {
  name: string;
  tier: string;
  healthy: boolean;
  /** closed | open | half_open */
  breaker: string;
  inFlight: number;
  ttftMs?: number;
  _ttftMs?: 'ttftMs';
  tokensPerSec?: number;
  _tokensPerSec?: 'tokensPerSec';
  lastError: string;
  /** int64 as a number; 0 when the breaker is closed. */
  breakerOpenedAtUnixMs: number;
}

/** switchyard.router.v1.BackendStates */
export interface BackendStatesMsg {
  backends: BackendStateMsg[];
  atUnixMs: number;
  /** '' from a router that does not version its state. */
  stateVersion: string;
}

/** grpc.health.v1.HealthCheckResponse.ServingStatus, by name (enums: String). */
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/** grpc.health.v1.HealthCheckRequest */
export interface HealthCheckRequestMsg {
  service: string;
}

/** grpc.health.v1.HealthCheckResponse */
export interface HealthCheckResponseMsg {
  status: ServingStatus;
}

// ---------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------

export interface RouterServiceDefinition {
  Decide: MethodDefinition<DecideRequestMsg, DecideResponseMsg>;
  DecideStream: MethodDefinition<DecideCallMsg, DecideResultMsg>;
  ReportOutcomes: MethodDefinition<OutcomeMsg, ReportSummaryMsg>;
  ReportOutcomeBatches: MethodDefinition<OutcomeBatchMsg, ReportSummaryMsg>;
  WatchBackends: MethodDefinition<WatchBackendsRequestMsg, BackendStatesMsg>;
}

export interface HealthServiceDefinition {
  Check: MethodDefinition<HealthCheckRequestMsg, HealthCheckResponseMsg>;
  Watch: MethodDefinition<HealthCheckRequestMsg, HealthCheckResponseMsg>;
}

export interface RouterProto {
  files: RouterProtoFiles;
  /** Both packages; what grpc-js `loadPackageDefinition` and `Server.addService` take. */
  packageDefinition: PackageDefinition;
  router: RouterServiceDefinition;
  health: HealthServiceDefinition;
}
