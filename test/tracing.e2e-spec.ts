import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { RequestOutcome } from '@switchyard/contracts';
import { flushTracing, ROUTER_DECIDE_METHOD, startTracing, tracingEnabled } from '@switchyard/telemetry';
import { OutcomeBus } from '../apps/gateway/src/observability/outcome-bus';
import { ADMIN_KEY, inferenceCalls, startStack, type StackSpec, type Stack } from './support/stack';

// OpenTelemetry end to end: the SDK exports over OTLP/HTTP (JSON) to a receiver on 127.0.0.1, and
// the spans, their parent links, their attributes and the traceparent each fake backend received
// must tell one story. Tracing off comes first: the SDK is process-wide, and once on it stays on.

/** A span as OTLP/JSON carries it, attributes flattened. */
interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  /** OTLP's StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code?: number; message?: string };
}

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

type OtlpValue = { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: OtlpValue[] } };

function valueOf(v: OtlpValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

function attributesOf(list: { key: string; value: OtlpValue }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));
}

/** An OTLP/HTTP trace receiver taking JSON, as a collector's `otlphttp` receiver would. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly contentTypes = new Set<string>();
  private readonly server: Server = createServer((req, res) => this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      this.contentTypes.add(String(req.headers['content-type']));
      const body = Buffer.concat(parts);
      const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
      const payload = JSON.parse(text) as {
        resourceSpans?: {
          resource?: { attributes?: { key: string; value: OtlpValue }[] };
          scopeSpans?: { spans?: (Omit<ReceivedSpan, 'attributes' | 'service'> & { attributes?: { key: string; value: OtlpValue }[] })[] }[];
        }[];
      };
      for (const rs of payload.resourceSpans ?? []) {
        const service = String(attributesOf(rs.resource?.attributes)['service.name']);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            this.spans.push({
              service,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: s.kind,
              attributes: attributesOf(s.attributes),
              status: s.status ?? {},
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }

  /** The spans of one trace, once `n` of them have arrived (flushing the SDK while waiting); fails after 5 s. */
  async trace(traceId: string, n: number): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      await flushTracing();
      const found = this.spans.filter((s) => s.traceId === traceId);
      if (found.length >= n) return found;
      if (Date.now() > deadline) throw new Error(`trace ${traceId}: ${found.length} of ${n} spans arrived: ${found.map((s) => s.name).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Counts every span started through the global API: what the gateway would make were it tracing. */
class CountingProcessor implements SpanProcessor {
  started = 0;
  onStart(_span: Span, _parent: Context): void {
    this.started++;
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const PROMPT = 'tell me about the weather in Lisbon';

const stackSpec = (mode: 'embedded' | 'remote'): StackSpec => ({
  mode,
  backends: [
    { name: 'local', protocol: 'openai', tier: 'local', models: ['m'] },
    { name: 'flaky', protocol: 'openai', tier: 'local', models: ['f'] },
  ],
  models: [
    { name: 'chat', targets: [{ backend: 'local', model: 'm' }] },
    {
      name: 'fb',
      targets: [
        { backend: 'flaky', model: 'f' },
        { backend: 'local', model: 'm' },
      ],
    },
  ],
  policy: { health: { intervalMs: 60_000 } },
});

function clearOtelEnv(): void {
  for (const name of Object.keys(process.env)) if (name.startsWith('OTEL_')) delete process.env[name];
}

/** Waits for the outcomes of the requests so far (emitted when their responses close). */
async function settled(outcomes: RequestOutcome[], n: number): Promise<RequestOutcome[]> {
  for (let i = 0; i < 100 && outcomes.length < n; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(outcomes).toHaveLength(n);
  return outcomes;
}

describe('tracing off (no OTEL_* variables)', () => {
  const counter = new CountingProcessor();
  let stack: Stack;
  let client: OpenAI;
  let outcomes: RequestOutcome[];

  beforeAll(async () => {
    clearOtelEnv();
    // A real SDK provider, registered globally: any span the gateway or the router made through the API would be counted.
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [counter] }));
    const stop = startTracing('switchyard-gateway');
    expect(tracingEnabled()).toBe(false);
    await stop();
    stack = await startStack(stackSpec('remote'));
    stack.app.get(OutcomeBus).subscribe((o) => outcomes.push(o));
    client = new OpenAI({ baseURL: stack.baseURL, apiKey: ADMIN_KEY, maxRetries: 0 });
  });
  beforeEach(() => {
    outcomes = [];
  });
  afterAll(async () => {
    await stack.close();
    trace.disable();
  });

  it('makes no span, sends backends no traceparent and leaves outcomes without a trace id', async () => {
    const traceparent = `00-${hex(16)}-${hex(8)}-01`;
    await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: PROMPT }] }, { headers: { traceparent } });
    const stream = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: PROMPT }], stream: true });
    for await (const _chunk of stream) void _chunk;
    stack.fakes.flaky.setFault({ mode: 'error', status: 503, times: 1 });
    await client.chat.completions.create({ model: 'fb', messages: [{ role: 'user', content: PROMPT }] });
    await expect(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: PROMPT }] })).rejects.toMatchObject({ status: 404 });

    await settled(outcomes, 4);
    expect(outcomes.map((o) => o.traceId)).toEqual([undefined, undefined, undefined, undefined]);
    const calls = [...inferenceCalls(stack.fakes.local), ...inferenceCalls(stack.fakes.flaky)];
    expect(calls).toHaveLength(4);
    for (const call of calls) {
      expect(call.headers.traceparent).toBeUndefined();
      expect(call.headers.tracestate).toBeUndefined();
    }
    expect(counter.started).toBe(0);
  });
});

describe('tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  const receiver = new OtlpReceiver();
  let stopTracing: () => Promise<void>;
  let remote: Stack;
  let embedded: Stack;
  let client: OpenAI;
  let outcomes: RequestOutcome[];

  beforeAll(async () => {
    clearOtelEnv();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = await receiver.start();
    process.env.OTEL_BSP_SCHEDULE_DELAY = '20';
    stopTracing = startTracing('switchyard-gateway');
    expect(tracingEnabled()).toBe(true);
    remote = await startStack(stackSpec('remote'));
    embedded = await startStack(stackSpec('embedded'));
    for (const s of [remote, embedded]) s.app.get(OutcomeBus).subscribe((o) => outcomes.push(o));
    client = new OpenAI({ baseURL: remote.baseURL, apiKey: ADMIN_KEY, maxRetries: 0 });
  });
  beforeEach(() => {
    outcomes = [];
    for (const s of [remote, embedded]) for (const f of Object.values(s.fakes)) f.reset();
  });
  afterAll(async () => {
    await remote?.close();
    await embedded?.close();
    await stopTracing?.();
    await receiver.close();
    clearOtelEnv();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  const one = (spans: ReceivedSpan[], name: string): ReceivedSpan => {
    const found = spans.filter((s) => s.name === name);
    expect(found.map((s) => s.name)).toEqual([name]);
    return found[0];
  };

  it("a chat request continues the client's trace through gateway, router and backend", async () => {
    const traceId = hex(16);
    const clientSpan = hex(8);
    const answer = await client.chat.completions.create(
      { model: 'chat', messages: [{ role: 'user', content: PROMPT }], max_tokens: 64, temperature: 0.25 },
      { headers: { traceparent: `00-${traceId}-${clientSpan}-01`, tracestate: 'acme=t61rcWkgMzE' } },
    );
    const [outcome] = await settled(outcomes, 1);
    expect(outcome.traceId).toBe(traceId);

    const spans = await receiver.trace(traceId, 5);
    expect(spans).toHaveLength(5);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['switchyard-gateway']));
    expect([...receiver.contentTypes]).toEqual(['application/json']);

    const request = one(spans, 'POST /v1/chat/completions');
    expect(request).toMatchObject({ kind: SERVER, parentSpanId: clientSpan });
    expect(request.status.code).not.toBe(ERROR);
    expect(request.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'chat',
      'gen_ai.response.model': 'm',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': answer.usage!.prompt_tokens,
      'gen_ai.usage.output_tokens': answer.usage!.completion_tokens,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.25,
      'switchyard.request_id': outcome.requestId,
      'switchyard.tenant.id': 'admin',
      'switchyard.key.id': 'admin',
      'switchyard.route': 'model:chat',
      'switchyard.backend': 'local',
      'switchyard.tier': 'local',
      'switchyard.streamed': false,
      'switchyard.attempts': 1,
    });

    const route = one(spans, 'switchyard.route');
    expect(route.parentSpanId).toBe(request.spanId);
    expect(route.attributes).toMatchObject({ 'switchyard.policy.mode': 'remote', 'switchyard.route': 'model:chat', 'switchyard.route.candidates': ['local'] });

    // The gRPC call to the router, and the router's own span under it (the context went in the call's metadata).
    const grpc = spans.filter((s) => s.name === ROUTER_DECIDE_METHOD);
    const grpcClient = grpc.find((s) => s.kind === CLIENT)!;
    const grpcServer = grpc.find((s) => s.kind === SERVER)!;
    expect(grpcClient.parentSpanId).toBe(route.spanId);
    expect(grpcClient.attributes).toMatchObject({ 'rpc.system.name': 'grpc', 'rpc.method': ROUTER_DECIDE_METHOD, 'rpc.status_code': 'OK' });
    expect(grpcServer.parentSpanId).toBe(grpcClient.spanId);
    expect(grpcServer.attributes).toMatchObject({ 'gen_ai.request.model': 'chat', 'switchyard.route': 'model:chat' });

    const attempt = one(spans, 'chat m');
    expect(attempt).toMatchObject({ kind: CLIENT, parentSpanId: request.spanId });
    expect(attempt.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'm',
      'gen_ai.provider.name': 'openai',
      'server.address': '127.0.0.1',
      'switchyard.backend': 'local',
      'switchyard.tier': 'local',
      'switchyard.attempt': 1,
      'switchyard.attempt.outcome': 'ok',
      'switchyard.attempt.status': 200,
    });

    // The backend was called under the attempt's span, with the client's trace state.
    const [call] = inferenceCalls(remote.fakes.local);
    expect(call.headers.traceparent).toBe(`00-${traceId}-${attempt.spanId}-01`);
    expect(call.headers.tracestate).toBe('acme=t61rcWkgMzE');

    // Never the prompt or the completion.
    const text = JSON.stringify(spans);
    expect(text).not.toContain('Lisbon');
    expect(text).not.toContain(answer.choices[0].message.content!);
  });

  it('a stream without a client trace starts one; its attempt span lasts the stream', async () => {
    const stream = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: PROMPT }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    const [outcome] = await settled(outcomes, 1);
    expect(outcome.traceId).toMatch(/^[0-9a-f]{32}$/);

    const spans = await receiver.trace(outcome.traceId!, 5);
    const request = one(spans, 'POST /v1/chat/completions');
    expect(request.parentSpanId).toBe('');
    expect(request.attributes).toMatchObject({
      'switchyard.streamed': true,
      'gen_ai.request.stream': true,
      'gen_ai.usage.output_tokens': usage!.completion_tokens,
      'switchyard.ttft_ms': outcome.ttftMs,
    });
    const attempt = one(spans, 'chat m');
    expect(attempt.parentSpanId).toBe(request.spanId);
    expect(attempt.attributes['switchyard.attempt.outcome']).toBe('ok');
    const [call] = inferenceCalls(remote.fakes.local);
    expect(call.headers.traceparent).toBe(`00-${outcome.traceId}-${attempt.spanId}-01`);
    expect(call.headers).not.toHaveProperty('tracestate');
  });

  it('a fallback: one span per attempt, and each backend was sent its own', async () => {
    remote.fakes.flaky.setFault({ mode: 'error', status: 503, times: 1 });
    await client.chat.completions.create({ model: 'fb', messages: [{ role: 'user', content: PROMPT }] });
    const [outcome] = await settled(outcomes, 1);
    expect(outcome.attempts.map((a) => a.outcome)).toEqual(['server_error', 'ok']);

    const spans = await receiver.trace(outcome.traceId!, 6);
    const request = one(spans, 'POST /v1/chat/completions');
    expect(request.attributes).toMatchObject({ 'switchyard.attempts': 2, 'switchyard.backend': 'local', 'gen_ai.response.model': 'm' });
    const failed = one(spans, 'chat f');
    const served = one(spans, 'chat m');
    for (const a of [failed, served]) expect(a).toMatchObject({ kind: CLIENT, parentSpanId: request.spanId });
    expect(failed.status).toMatchObject({ code: ERROR, message: 'server_error' });
    expect(failed.attributes).toMatchObject({ 'switchyard.attempt': 1, 'switchyard.attempt.outcome': 'server_error', 'error.type': 'server_error' });
    expect(served.attributes).toMatchObject({ 'switchyard.attempt': 2, 'switchyard.attempt.outcome': 'ok' });
    expect(served.status.code).not.toBe(ERROR);

    expect(inferenceCalls(remote.fakes.flaky)[0].headers.traceparent).toBe(`00-${outcome.traceId}-${failed.spanId}-01`);
    expect(inferenceCalls(remote.fakes.local)[0].headers.traceparent).toBe(`00-${outcome.traceId}-${served.spanId}-01`);
  });

  it('a failed request: its span and its route span carry the error code', async () => {
    await expect(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: PROMPT }] })).rejects.toMatchObject({ status: 404 });
    const [outcome] = await settled(outcomes, 1);
    const spans = await receiver.trace(outcome.traceId!, 4);
    const request = one(spans, 'POST /v1/chat/completions');
    expect(request.status).toMatchObject({ code: ERROR, message: 'model_not_found' });
    expect(request.attributes).toMatchObject({ 'http.response.status_code': 404, 'error.type': 'model_not_found' });
    const route = one(spans, 'switchyard.route');
    expect(route.status).toMatchObject({ code: ERROR, message: 'model_not_found' });
    expect(spans.filter((s) => s.kind === CLIENT && s.name !== ROUTER_DECIDE_METHOD)).toEqual([]);
  });

  it('embedded mode: the route is decided in process, with no gRPC span', async () => {
    const embeddedClient = new OpenAI({ baseURL: embedded.baseURL, apiKey: ADMIN_KEY, maxRetries: 0 });
    await embeddedClient.embeddings.create({ model: 'chat', input: PROMPT });
    const [outcome] = await settled(outcomes, 1);
    const spans = await receiver.trace(outcome.traceId!, 3);
    expect(spans.map((s) => s.name).sort()).toEqual(['POST /v1/embeddings', 'embeddings m', 'switchyard.route']);
    const request = one(spans, 'POST /v1/embeddings');
    expect(request.attributes).toMatchObject({ 'gen_ai.operation.name': 'embeddings', 'gen_ai.usage.input_tokens': outcome.inputTokens });
    expect(one(spans, 'switchyard.route').attributes['switchyard.policy.mode']).toBe('embedded');
    const attempt = one(spans, 'embeddings m');
    expect(inferenceCalls(embedded.fakes.local)[0].headers.traceparent).toBe(`00-${outcome.traceId}-${attempt.spanId}-01`);
  });
});
