import type { RequestOutcome } from '@switchyard/contracts';
import { OutcomeBus } from '../apps/gateway/src/observability/outcome-bus';
import { ADMIN_KEY, postJson, readSseData, startStack, type Stack } from './support/stack';

/** Every /v1 request ends in exactly one outcome, whatever happened, and metrics count real statuses from it. */
describe('one outcome per request', () => {
  let stack: Stack;
  let outcomes: RequestOutcome[];

  beforeAll(async () => {
    stack = await startStack({
      backends: [
        { name: 'local', protocol: 'openai', tier: 'local', models: ['m'] },
        { name: 'slow', protocol: 'openai', tier: 'local', models: ['s'], fake: { latencyMs: 3000 } },
        { name: 'gone', protocol: 'openai', tier: 'local', models: ['g'], down: true },
      ],
      models: [
        { name: 'chat', targets: [{ backend: 'local', model: 'm' }] },
        { name: 'slow', targets: [{ backend: 'slow', model: 's' }] },
        { name: 'gone', targets: [{ backend: 'gone', model: 'g' }] },
      ],
      policy: { health: { intervalMs: 60000 } },
    });
    stack.app.get(OutcomeBus).subscribe((o) => outcomes.push(o));
  });
  beforeEach(() => {
    outcomes = [];
    stack.fakes.local.setFault(undefined);
  });
  afterAll(() => stack.close());

  /** The outcomes of the requests so far, once `n` have arrived (they are emitted when responses close). */
  async function settled(n: number): Promise<RequestOutcome[]> {
    for (let i = 0; i < 100 && outcomes.length < n; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 50)); // and no more than n
    return outcomes;
  }
  const chat = (model = 'chat', extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content: 'hello there' }], ...extra });

  it('a success: route, backend, tier, attempts, tokens and the principal', async () => {
    const res = await postJson(stack, chat());
    expect(res.status).toBe(200);
    await res.text();
    const [o] = await settled(1);
    expect(outcomes).toHaveLength(1);
    expect(o).toMatchObject({
      endpoint: '/v1/chat/completions',
      status: 200,
      model: 'chat',
      route: 'model:chat',
      backend: 'local',
      tier: 'local',
      streamed: false,
      principal: { tenantId: 'admin', keyId: 'admin' },
      attempts: [{ backend: 'local', outcome: 'ok', status: 200 }],
    });
    expect(o.inputTokens).toBeGreaterThan(0);
    expect(o.outputTokens).toBeGreaterThan(0);
    expect(o.errorCode).toBeUndefined();
  });

  it('a stream: streamed, its tokens and time to first token', async () => {
    const res = await postJson(stack, chat('chat', { stream: true }));
    await readSseData(res);
    const [o] = await settled(1);
    expect(outcomes).toHaveLength(1);
    expect(o).toMatchObject({ status: 200, streamed: true, backend: 'local' });
    expect(o.outputTokens).toBeGreaterThan(0);
    expect(o.ttftMs).toBeGreaterThan(0);
  });

  it('a stream that fails after its first chunk: the failure, though the wire said 200', async () => {
    stack.fakes.local.setFault({ mode: 'midstream', afterChunks: 1 });
    const res = await postJson(stack, chat('chat', { stream: true }));
    expect(res.status).toBe(200);
    await readSseData(res);
    const [o] = await settled(1);
    expect(outcomes).toHaveLength(1);
    expect(o.status).toBeGreaterThanOrEqual(500);
    expect(o.errorCode).toBeDefined();
  });

  it.each([
    ['no key', () => fetch(`${stack.baseURL}/models`), 401, 'invalid_api_key'],
    ['a bad body', () => postJson(stack, { model: 'chat', messages: 'nope' }), 400, 'invalid_request_error'],
    ['an unknown model', () => postJson(stack, chat('no-such-model')), 404, 'model_not_found'],
    ['an unreachable backend', () => postJson(stack, chat('gone')), 503, 'service_unavailable'],
  ] as const)('%s: its status and code', async (_what, send, status, code) => {
    const res = await send();
    expect(res.status).toBe(status);
    await res.text();
    const [o] = await settled(1);
    expect(outcomes).toHaveLength(1);
    expect(o).toMatchObject({ status, errorCode: code });
  });

  it('a client that goes away: 499 client_closed', async () => {
    const abort = new AbortController();
    const pending = fetch(`${stack.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat('slow')),
      signal: abort.signal,
    }).catch((err: Error) => err);
    await new Promise((resolve) => setTimeout(resolve, 200));
    abort.abort();
    await pending;
    const [o] = await settled(1);
    expect(outcomes).toHaveLength(1);
    expect(o).toMatchObject({ status: 499, errorCode: 'client_closed', model: 'slow' });
  });

  it('metrics count real final statuses, failures included', async () => {
    await (await fetch(`${stack.baseURL}/models`)).text();
    await (await postJson(stack, chat())).text();
    await settled(2);
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    expect(text).toMatch(/switchyard_requests_total\{model="none",backend="none",tier="none",status="401"\} \d+/);
    expect(text).toMatch(/switchyard_requests_total\{model="chat",backend="local",tier="local",status="200"\} \d+/);
  });
});
