import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { HEALTH_SERVICE, ROUTER_SERVICE, type BackendStatesMsg, type OutcomeBatchMsg } from '@switchyard/contracts/router';
import {
  type AttemptOutcome,
  type RequestFeatures,
  type RouteDecision,
  fromBackendState,
  fromDecideRequest,
  fromDecideResponse,
  fromDecisionBasis,
  fromOutcome,
  toBackendState,
  toDecideRequest,
  toDecideResponse,
  toOutcome,
  type BackendStateInfo,
} from '@switchyard/policy';
import { loadRouterProto } from '../router-proto';

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

describe('router converters over real protobuf encoding', () => {
  const fullFeatures: RequestFeatures = {
    tenant: 'acme',
    keyId: 'key_1',
    onPii: 'local-only',
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
      {
        backend: 'local-ollama',
        model: 'llama3.2',
        tier: 'local',
        reason: 'local first (0/4 in flight)',
        code: 'preferred',
        predictedMs: 420,
        estimatedCostUsd: 0.0001,
      },
      { backend: 'openai', model: 'gpt-4o-mini', tier: 'cloud', redact: true, reason: 'cloud, after local', estimatedCostUsd: 0.00042 },
      { backend: 'vllm', model: 'llama3.2', tier: 'local', panic: true, reason: 'panic: circuit open', code: 'panic', estimatedCostUsd: 0 },
    ],
    dropped: [
      { backend: 'vllm', model: 'llama3.2', tier: 'local', reason: 'circuit open', code: 'circuit_open' },
      { backend: 'ollama', model: 'llama3.2', tier: 'local', reason: 'cannot serve n=3 (ollama protocol)', code: 'capability', param: 'n' },
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

  it('carries the state version and scope a decision rests on, for known and unknown models', () => {
    const basis = { stateVersion: 'abc.7', scope: { tenant: true, tags: false, headers: ['x-team'], inFlight: ['local', 'cloud'], weighted: false } };
    const wire = viaResponse('Decide', toDecideResponse(decision, basis));
    expect(fromDecideResponse(wire)).toStrictEqual(decision);
    expect(fromDecisionBasis(wire)).toStrictEqual(basis);
    const unknown = viaResponse('Decide', toDecideResponse(undefined, basis));
    expect(fromDecideResponse(unknown)).toBeUndefined();
    expect(fromDecisionBasis(unknown)).toStrictEqual(basis);
    // A router that does not version its state: nothing may be reused.
    expect(fromDecisionBasis(viaResponse('Decide', toDecideResponse(decision)))).toBeUndefined();
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
    const msg: BackendStatesMsg = { backends: states.map(toBackendState), atUnixMs: 1_761_000_000_456, stateVersion: 'r1.42' };
    const wire = viaResponse('WatchBackends', msg);
    expect(wire.atUnixMs).toBe(1_761_000_000_456);
    expect(wire.stateVersion).toBe('r1.42');
    expect(wire.backends.map(fromBackendState)).toStrictEqual(states);
  });

  it('carries ReportSummary.received (uint64) as a number and health statuses by name', () => {
    expect(viaResponse('ReportOutcomes', { received: 5000 })).toEqual({ received: 5000 });
    expect(viaRequest('Check', { service: ROUTER_SERVICE }, health)).toEqual({ service: ROUTER_SERVICE });
    expect(viaResponse('Check', { status: 'NOT_SERVING' }, health)).toEqual({ status: 'NOT_SERVING' });
    expect(viaResponse('Watch', { status: 'SERVICE_UNKNOWN' }, health)).toEqual({ status: 'SERVICE_UNKNOWN' });
  });
});
