import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';
import type { AttemptOutcome, RequestFeatures, RouteDecision } from '@switchyard/policy';
import {
  fromBackendState,
  fromDecideRequest,
  fromDecideResponse,
  fromOutcome,
  toBackendState,
  toDecideRequest,
  toDecideResponse,
  toOutcome,
  type BackendStateInfo,
} from './router.mapper';
import {
  HEALTH_SERVICE,
  loadRouterProto,
  ROUTER_PACKAGE,
  ROUTER_SERVICE,
  routerProtoFiles,
  type BackendStateMsg,
  type BackendStatesMsg,
  type CandidateMsg,
  type DecideCallMsg,
  type DecideRequestMsg,
  type DecideResponseMsg,
  type DecideResultMsg,
  type DenyMsg,
  type DroppedMsg,
  type HealthCheckRequestMsg,
  type HealthCheckResponseMsg,
  type OutcomeBatchMsg,
  type OutcomeMsg,
  type PrivacyMsg,
  type ReportSummaryMsg,
  type WatchBackendsRequestMsg,
} from './router.proto';

const proto = loadRouterProto();

/** The method definitions as grpc-js itself sees them, after `loadPackageDefinition`. */
function grpcService(fullName: string): ServiceClientConstructor['service'] {
  let node: GrpcObject = loadPackageDefinition(proto.packageDefinition);
  const parts = fullName.split('.');
  for (const p of parts.slice(0, -1)) node = node[p] as GrpcObject;
  return (node[parts[parts.length - 1]] as ServiceClientConstructor).service;
}
const router = grpcService(ROUTER_SERVICE);
const health = grpcService(HEALTH_SERVICE);

/** Real protobuf encoding both ways (what the wire carries), with the shared loader options. */
function viaRequest<T>(method: string, value: T, svc = router): T {
  const m = svc[method];
  return m.requestDeserialize(m.requestSerialize(value)) as T;
}
function viaResponse<T>(method: string, value: T, svc = router): T {
  const m = svc[method];
  return m.responseDeserialize(m.responseSerialize(value)) as T;
}

// ---------------------------------------------------------------------------------------------
// The interfaces in router.proto.ts against the .proto, field by field. `Shape<T>` is computed from
// the TypeScript interface, so a drifted interface fails tsc here and a drifted .proto fails the test.
// ---------------------------------------------------------------------------------------------

type Kind<V> = V extends string
  ? 'string'
  : V extends number
    ? 'number'
    : V extends boolean
      ? 'bool'
      : V extends readonly unknown[]
        ? 'repeated'
        : V extends object
          ? string extends keyof V
            ? 'map'
            : 'message'
          : never;
type Shape<T> = { [K in keyof T]-?: [Kind<NonNullable<T[K]>>, undefined extends T[K] ? 'optional' : 'always'] };

const S = 'string' as const;
const N = 'number' as const;
const B = 'bool' as const;
const A = 'always' as const;
const O = 'optional' as const;

const SHAPES: Record<string, object> = {
  'switchyard.router.v1.DecideRequest': {
    tenant: [S, A],
    keyId: [S, A],
    model: [S, A],
    promptTokens: [N, A],
    maxTokens: [N, O],
    _maxTokens: [S, O],
    stream: [B, A],
    tags: ['repeated', A],
    headers: ['map', A],
    maxLatencyMs: [N, O],
    _maxLatencyMs: [S, O],
    pii: ['repeated', A],
    inFlight: ['map', A],
    unscannable: ['repeated', A],
    n: [N, A],
    tools: [B, A],
    jsonMode: [B, A],
    images: [B, A],
    logprobs: [B, A],
    embeddings: [B, A],
    tokenInput: [B, A],
  } satisfies Shape<DecideRequestMsg>,
  'switchyard.router.v1.Candidate': {
    backend: [S, A],
    model: [S, A],
    tier: [S, A],
    redact: [B, A],
    reason: [S, A],
    predictedMs: [N, O],
    _predictedMs: [S, O],
    estimatedCostUsd: [N, O],
    _estimatedCostUsd: [S, O],
    panic: [B, A],
  } satisfies Shape<CandidateMsg>,
  'switchyard.router.v1.Dropped': { backend: [S, A], model: [S, A], tier: [S, A], reason: [S, A], param: [S, A] } satisfies Shape<DroppedMsg>,
  'switchyard.router.v1.Privacy': { categories: ['repeated', A], action: [S, A], unscannable: ['repeated', A] } satisfies Shape<PrivacyMsg>,
  'switchyard.router.v1.Deny': { code: [S, A], message: [S, A] } satisfies Shape<DenyMsg>,
  'switchyard.router.v1.DecideResponse': {
    modelFound: [B, A],
    route: [S, A],
    strategy: [S, A],
    candidates: ['repeated', A],
    dropped: ['repeated', A],
    privacy: ['message', A],
    deny: ['message', O],
    _deny: [S, O],
  } satisfies Shape<DecideResponseMsg>,
  'switchyard.router.v1.DecideCall': { id: [N, A], request: ['message', A] } satisfies Shape<DecideCallMsg>,
  'switchyard.router.v1.DecideResult': { id: [N, A], response: ['message', A], error: [S, A] } satisfies Shape<DecideResultMsg>,
  'switchyard.router.v1.Outcome': {
    backend: [S, A],
    model: [S, A],
    success: [B, A],
    status: [N, A],
    ttftMs: [N, O],
    _ttftMs: [S, O],
    outputTokens: [N, O],
    _outputTokens: [S, O],
    durationMs: [N, O],
    _durationMs: [S, O],
  } satisfies Shape<OutcomeMsg>,
  'switchyard.router.v1.OutcomeBatch': { outcomes: ['repeated', A] } satisfies Shape<OutcomeBatchMsg>,
  'switchyard.router.v1.ReportSummary': { received: [N, A] } satisfies Shape<ReportSummaryMsg>,
  'switchyard.router.v1.WatchBackendsRequest': {} satisfies Shape<WatchBackendsRequestMsg>,
  'switchyard.router.v1.BackendState': {
    name: [S, A],
    tier: [S, A],
    healthy: [B, A],
    breaker: [S, A],
    inFlight: [N, A],
    ttftMs: [N, O],
    _ttftMs: [S, O],
    tokensPerSec: [N, O],
    _tokensPerSec: [S, O],
    lastError: [S, A],
    breakerOpenedAtUnixMs: [N, A],
  } satisfies Shape<BackendStateMsg>,
  'switchyard.router.v1.BackendStates': { backends: ['repeated', A], atUnixMs: [N, A] } satisfies Shape<BackendStatesMsg>,
  'grpc.health.v1.HealthCheckRequest': { service: [S, A] } satisfies Shape<HealthCheckRequestMsg>,
  'grpc.health.v1.HealthCheckResponse': { status: [S, A] } satisfies Shape<HealthCheckResponseMsg>,
};

interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
interface MessageDescriptor {
  field: FieldDescriptor[];
  nestedType: { name: string; options: { mapEntry?: boolean } | null }[];
  oneofDecl: { name: string }[];
}

/** What the loaded descriptor says each field looks like, in the same terms as Shape<T>. */
function describeFields(type: MessageDescriptor): Record<string, [string, string]> {
  const optional = new Set(type.oneofDecl.map((o) => o.name)); // proto3 `optional` x is the synthetic oneof _x
  const maps = new Set(type.nestedType.filter((n) => n.options?.mapEntry).map((n) => n.name));
  const out: Record<string, [string, string]> = {};
  for (const f of type.field) {
    let kind: string;
    if (f.label === 'LABEL_REPEATED') kind = maps.has(f.typeName.split('.').pop()!) ? 'map' : 'repeated';
    else if (f.type === 'TYPE_STRING' || f.type === 'TYPE_ENUM') kind = 'string';
    else if (f.type === 'TYPE_BOOL') kind = 'bool';
    else if (f.type === 'TYPE_MESSAGE') kind = 'message';
    else kind = 'number';
    const marker = `_${f.name}`;
    out[f.name] = [kind, optional.has(marker) ? 'optional' : 'always'];
    if (optional.has(marker)) out[marker] = ['string', 'optional'];
  }
  return out;
}

describe('router proto typing', () => {
  it('finds both .proto files from the source tree', () => {
    const files = routerProtoFiles({});
    expect(files.router).toMatch(/libs[/\\]contracts[/\\]proto[/\\]switchyard[/\\]router[/\\]v1[/\\]router\.proto$/);
    expect(files.health).toMatch(/grpc[/\\]health[/\\]v1[/\\]health\.proto$/);
  });

  it('honours SWITCHYARD_PROTO_DIR and says what is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-proto-'));
    try {
      cpSync(routerProtoFiles({}).dir, dir, { recursive: true });
      expect(routerProtoFiles({ SWITCHYARD_PROTO_DIR: dir }).router).toBe(join(dir, 'switchyard/router/v1/router.proto'));
      rmSync(join(dir, 'grpc'), { recursive: true });
      expect(() => routerProtoFiles({ SWITCHYARD_PROTO_DIR: dir })).toThrow(/health\.proto.*SWITCHYARD_PROTO_DIR/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has a typed shape for every message in both packages', () => {
    const messages = Object.entries(proto.packageDefinition)
      .filter(([, d]) => 'format' in d && (d as MessageTypeDefinition<object, object>).format === 'Protocol Buffer 3 DescriptorProto')
      .map(([name]) => name)
      .sort();
    expect(messages).toEqual(Object.keys(SHAPES).sort());
  });

  it.each(Object.keys(SHAPES))('%s: interface fields, kinds and optionality match the .proto', (name) => {
    const def = proto.packageDefinition[name] as MessageTypeDefinition<object, object>;
    expect(describeFields(def.type as unknown as MessageDescriptor)).toEqual(SHAPES[name]);
  });

  it('types the services it serves', () => {
    expect(Object.keys(proto.router).sort()).toEqual(['Decide', 'DecideStream', 'ReportOutcomeBatches', 'ReportOutcomes', 'WatchBackends']);
    expect(proto.router.Decide.path).toBe(`/${ROUTER_PACKAGE}.Router/Decide`);
    expect([proto.router.DecideStream.requestStream, proto.router.DecideStream.responseStream]).toEqual([true, true]);
    expect([proto.router.ReportOutcomes.requestStream, proto.router.ReportOutcomes.responseStream]).toEqual([true, false]);
    expect([proto.router.ReportOutcomeBatches.requestStream, proto.router.ReportOutcomeBatches.responseStream]).toEqual([true, false]);
    expect([proto.router.WatchBackends.requestStream, proto.router.WatchBackends.responseStream]).toEqual([false, true]);
    expect(Object.keys(proto.health).sort()).toEqual(['Check', 'Watch']);
    expect(proto.health.Check.path).toBe('/grpc.health.v1.Health/Check');
  });
});

describe('router converters over real protobuf encoding', () => {
  const fullFeatures: RequestFeatures = {
    tenant: 'acme',
    keyId: 'key_1',
    model: 'chat',
    promptTokens: 1234,
    maxTokens: 256,
    stream: true,
    tags: ['batch', 'eu'],
    headers: { 'x-team': 'search', 'x-region': 'eu-west-1' },
    maxLatencyMs: 800,
    pii: ['email', 'phone'],
    n: 3,
    tools: true,
    jsonMode: true,
    images: true,
    logprobs: true,
    embeddings: true,
    tokenInput: true,
  };
  const bareFeatures: RequestFeatures = { model: 'gpt-4o-mini', promptTokens: 0, stream: false, tags: [], headers: {}, pii: [] };

  it.each([
    ['every field set', fullFeatures, { 'local-ollama': 3, openai: 1 }],
    ['only required fields', bareFeatures, {}],
  ])('round-trips features and in-flight counts (%s)', (_name, features, inFlight) => {
    const wire = viaRequest('Decide', toDecideRequest(features, inFlight));
    expect(fromDecideRequest(wire)).toStrictEqual({ features, inFlight });
  });

  it('keeps an explicit zero max_tokens distinct from none', () => {
    const wire = viaRequest('Decide', toDecideRequest({ ...bareFeatures, maxTokens: 0 }, {}));
    expect(wire.maxTokens).toBe(0);
    expect(fromDecideRequest(wire).features.maxTokens).toBe(0);
    expect('maxTokens' in viaRequest('Decide', toDecideRequest(bareFeatures, {}))).toBe(false);
  });

  it('drops undefined headers, non-positive in-flight counts, and clamps what uint32 cannot carry', () => {
    const msg = toDecideRequest({ ...bareFeatures, headers: { a: 'b', c: undefined }, promptTokens: 12.7 }, { x: 2, y: 0, z: -1 });
    const wire = viaRequest('Decide', msg);
    expect(wire.headers).toEqual({ a: 'b' });
    expect(wire.inFlight).toEqual({ x: 2 });
    expect(wire.promptTokens).toBe(12);
  });

  const decision: RouteDecision = {
    route: 'eu-data',
    strategy: 'local-first',
    candidates: [
      { backend: 'local-ollama', model: 'llama3.2', tier: 'local', reason: 'local first (0/4 in flight)', predictedMs: 420, estimatedCostUsd: 0.0001 },
      { backend: 'openai', model: 'gpt-4o-mini', tier: 'cloud', redact: true, reason: 'cloud, after local', estimatedCostUsd: 0.00042 },
      { backend: 'vllm', model: 'llama3.2', tier: 'local', panic: true, reason: 'panic: circuit open', estimatedCostUsd: 0 },
    ],
    dropped: [
      { backend: 'vllm', model: 'llama3.2', tier: 'local', reason: 'circuit open' },
      { backend: 'ollama', model: 'llama3.2', tier: 'local', reason: 'cannot serve n=3 (ollama protocol)', param: 'n' },
    ],
    privacy: { categories: ['email'], action: 'redact' },
  };

  it('round-trips a decision with every candidate field', () => {
    const wire = viaResponse('Decide', toDecideResponse(decision));
    expect(wire.modelFound).toBe(true);
    expect(fromDecideResponse(wire)).toStrictEqual(decision);
  });

  it('round-trips a denial', () => {
    const denied: RouteDecision = {
      route: 'default',
      strategy: 'cheapest',
      candidates: [],
      dropped: [],
      privacy: { categories: ['credit_card'], action: 'deny' },
      deny: { code: 'pii_denied', message: 'The prompt contains personal data (credit_card) and policy refuses it.' },
    };
    expect(fromDecideResponse(viaResponse('Decide', toDecideResponse(denied)))).toStrictEqual(denied);
  });

  it('carries an unknown model as model_found=false', () => {
    const wire = viaResponse('Decide', toDecideResponse(undefined));
    expect(wire).toMatchObject({ modelFound: false, candidates: [], privacy: null });
    expect(fromDecideResponse(wire)).toBeUndefined();
  });

  it.each<[string, AttemptOutcome]>([
    ['a success with timings', { backend: 'openai', model: 'gpt-4o-mini', success: true, status: 200, ttftMs: 123.5, outputTokens: 40, durationMs: 900.25 }],
    ['a failure without timings', { backend: 'local-ollama', model: 'llama3.2', success: false, status: 503 }],
  ])('round-trips an outcome (%s)', (_name, outcome) => {
    expect(fromOutcome(viaRequest('ReportOutcomes', toOutcome(outcome)))).toStrictEqual(outcome);
  });

  it('round-trips a batch of outcomes in order', () => {
    const outcomes: AttemptOutcome[] = [
      { backend: 'openai', model: 'gpt-4o-mini', success: true, status: 200, ttftMs: 12.5, outputTokens: 3, durationMs: 20 },
      { backend: 'local-ollama', model: 'llama3.2', success: false, status: 504 },
    ];
    const wire = viaRequest<OutcomeBatchMsg>('ReportOutcomeBatches', { outcomes: outcomes.map(toOutcome) });
    expect(wire.outcomes.map(fromOutcome)).toStrictEqual(outcomes);
  });

  it('round-trips backend states, int64 times as numbers', () => {
    const states: BackendStateInfo[] = [
      {
        name: 'local-ollama',
        tier: 'local',
        snapshot: { healthy: false, breaker: 'open', inFlight: 2, ttftMs: 180.5, tokensPerSec: 42.25 },
        lastError: 'connect ECONNREFUSED',
        breakerOpenedAt: 1_761_000_000_123,
      },
      { name: 'openai', tier: 'cloud', snapshot: { healthy: true, breaker: 'closed', inFlight: 0 } },
    ];
    const msg: BackendStatesMsg = { backends: states.map(toBackendState), atUnixMs: 1_761_000_000_456 };
    const wire = viaResponse('WatchBackends', msg);
    expect(wire.atUnixMs).toBe(1_761_000_000_456);
    expect(wire.backends.map(fromBackendState)).toStrictEqual(states);
  });

  it('carries ReportSummary.received (uint64) as a number and health statuses by name', () => {
    expect(viaResponse('ReportOutcomes', { received: 5000 })).toEqual({ received: 5000 });
    expect(viaRequest('Check', { service: ROUTER_SERVICE }, health)).toEqual({ service: ROUTER_SERVICE });
    expect(viaResponse('Check', { status: 'NOT_SERVING' }, health)).toEqual({ status: 'NOT_SERVING' });
    expect(viaResponse('Watch', { status: 'SERVICE_UNKNOWN' }, health)).toEqual({ status: 'SERVICE_UNKNOWN' });
  });
});
