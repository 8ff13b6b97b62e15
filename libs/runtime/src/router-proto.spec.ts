import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageTypeDefinition } from '@grpc/proto-loader';
import {
  ROUTER_PACKAGE,
  type BackendStateMsg,
  type BackendStatesMsg,
  type CandidateMsg,
  type DecideCallMsg,
  type DecideRequestMsg,
  type DecideResponseMsg,
  type DecideResultMsg,
  type DecisionScopeMsg,
  type DenyMsg,
  type DroppedMsg,
  type HealthCheckRequestMsg,
  type HealthCheckResponseMsg,
  type OutcomeBatchMsg,
  type OutcomeMsg,
  type PrivacyMsg,
  type ReportSummaryMsg,
  type WatchBackendsRequestMsg,
} from '@switchyard/contracts/router';
import { loadRouterProto, routerProtoFiles } from './router-proto';

const proto = loadRouterProto();

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
    onPii: [S, A],
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
    code: [S, A],
  } satisfies Shape<CandidateMsg>,
  'switchyard.router.v1.Dropped': { backend: [S, A], model: [S, A], tier: [S, A], reason: [S, A], param: [S, A], code: [S, A] } satisfies Shape<DroppedMsg>,
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
    stateVersion: [S, A],
    scope: ['message', O],
    _scope: [S, O],
  } satisfies Shape<DecideResponseMsg>,
  'switchyard.router.v1.DecisionScope': {
    tenant: [B, A],
    tags: [B, A],
    headers: ['repeated', A],
    inFlight: ['repeated', A],
    weighted: [B, A],
  } satisfies Shape<DecisionScopeMsg>,
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
  'switchyard.router.v1.BackendStates': { backends: ['repeated', A], atUnixMs: [N, A], stateVersion: [S, A] } satisfies Shape<BackendStatesMsg>,
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
