import OpenAI from 'openai';
import type { FakeLlm } from '@switchyard/fake-llm';
import { ADMIN_KEY, inferenceCalls, postJson, readSseData, startStack, type Stack } from './support/stack';

// Fallback chains and upstream failure mapping, against fake backends that fail on command.

const inference = (fake: FakeLlm): number => inferenceCalls(fake).length;

const chat = (stream = false) => ({ model: 'chat', stream, messages: [{ role: 'user', content: 'hello chain' }] });

const post = (stack: Stack, body: unknown): Promise<Response> => postJson(stack, body);

describe('a chain whose first target is down', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      backends: [
        { name: 'local-down', protocol: 'ollama', tier: 'local', models: ['llama3.2'], down: true },
        { name: 'cloud', protocol: 'anthropic', tier: 'cloud', models: ['claude-haiku'] },
      ],
      models: [
        {
          name: 'chat',
          targets: [
            { backend: 'local-down', model: 'llama3.2' },
            { backend: 'cloud', model: 'claude-haiku' },
          ],
        },
      ],
    });
  });
  afterAll(() => stack.close());

  it('is served by the second, with both attempts in the log', async () => {
    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: ADMIN_KEY, maxRetries: 0 });
    const { data, response } = await client.chat.completions.create(chat() as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming).withResponse();
    expect(data.choices[0].message.content).toBe('Echo: hello chain');
    expect(response.headers.get('x-switchyard-backend')).toBe('cloud');
    expect(response.headers.get('x-switchyard-tier')).toBe('cloud');

    const requestId = response.headers.get('x-request-id');
    const attempts = stack
      .logs()
      .filter((l) => l.msg !== undefined && typeof l.msg === 'string' && l.msg.startsWith('upstream attempt') && l.requestId === requestId);
    expect(attempts).toEqual([
      expect.objectContaining({ attempt: 1, backend: 'local-down', outcome: 'error', failure: 'connect', status: 503, next: 'cloud' }),
      expect.objectContaining({ attempt: 2, backend: 'cloud', outcome: 'ok' }),
    ]);
  });

  it('falls back for a stream too, before the first chunk', async () => {
    const res = await post(stack, chat(true));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-backend')).toBe('cloud');
    const data = await readSseData(res);
    expect(data[data.length - 1]).toBe('[DONE]');
  });
});

describe('fallback on upstream failures', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      backends: [
        { name: 'primary', protocol: 'openai', models: ['m1'], timeouts: { firstByteMs: 400, idleMs: 400 } },
        { name: 'secondary', protocol: 'ollama', models: ['m2'] },
      ],
      models: [
        {
          name: 'chat',
          targets: [
            { backend: 'primary', model: 'm1' },
            { backend: 'secondary', model: 'm2' },
          ],
        },
      ],
      // Every case here must reach the failing primary: no breaker, probes only at start.
      policy: { breaker: { minRequests: 100000 }, health: { intervalMs: 600000 } },
    });
  });
  afterEach(() => Object.values(stack.fakes).forEach((f) => f.reset()));
  afterAll(() => stack.close());

  it.each([
    ['a 500', { mode: 'error', status: 500 }, 'server_error'],
    ['a 503', { mode: 'error', status: 503 }, 'server_error'],
    ['a 429', { mode: 'error', status: 429 }, 'rate_limited'],
    ['a reset connection', { mode: 'reset' }, 'network'],
    ['no answer within firstByteMs', { mode: 'timeout' }, 'timeout'],
  ] as const)('moves on after %s', async (_what, fault, failure) => {
    stack.fakes.primary.setFault(fault);
    for (const stream of [false, true]) {
      const res = await post(stack, chat(stream));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-switchyard-backend')).toBe('secondary');
      if (stream) expect((await readSseData(res)).pop()).toBe('[DONE]');
      else expect(((await res.json()) as { model: string }).model).toBe('m2');
      const attempt = stack.logs().find((l) => l.requestId === res.headers.get('x-request-id') && l.backend === 'primary');
      expect(attempt).toMatchObject({ outcome: 'error', failure });
    }
  });

  it('does not fall back on a client error (400): the caller gets it', async () => {
    stack.fakes.primary.setFault({ mode: 'error', status: 400, message: 'bad field foo' });
    const res = await post(stack, chat());
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error.message).toContain('bad field foo');
    expect(body.error.type).toBe('invalid_request_error');
    expect(inference(stack.fakes.secondary)).toBe(0);
  });

  it('ends a stream that fails after its first chunk with an OpenAI error event and [DONE]', async () => {
    stack.fakes.primary.setFault({ mode: 'midstream', afterChunks: 2 });
    const res = await post(stack, chat(true));
    expect(res.status).toBe(200);
    const data = await readSseData(res);
    expect(data[data.length - 1]).toBe('[DONE]');
    const error = JSON.parse(data[data.length - 2]) as { error: { message: string; type: string } };
    expect(error.error).toMatchObject({ type: 'server_error', message: expect.stringContaining('primary') });
    expect(JSON.parse(data[0])).toMatchObject({ object: 'chat.completion.chunk' });
    expect(inference(stack.fakes.secondary)).toBe(0);
  });

  it('ends a stream whose backend goes silent with an error event once idleMs passes', async () => {
    stack.fakes.primary.setFault({ mode: 'stall' });
    const res = await post(stack, chat(true));
    const data = await readSseData(res);
    expect(data[data.length - 1]).toBe('[DONE]');
    expect(JSON.parse(data[data.length - 2])).toMatchObject({ error: { message: expect.stringContaining('timed out') } });
  });

  it('relays each chunk as it arrives: the first reaches the client while the backend is still writing', async () => {
    stack.fakes.primary.setOptions({ interChunkMs: 150, reply: 'one two three four five six' });
    const before = stack.fakes.primary.stats.completed;
    const res = await post(stack, chat(true));
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (let i = 0; i < 50 && !text.includes('"content":"one"'); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toContain('"content":"one"');
    // The backend has more to send: nothing waited for the whole answer.
    expect(stack.fakes.primary.stats).toMatchObject({ inFlight: 1, completed: before });
    for (let i = 0; i < 100 && !(await reader.read()).done; i++);
    expect(stack.fakes.primary.stats).toMatchObject({ inFlight: 0, completed: before + 1 });
    stack.fakes.primary.setOptions({ interChunkMs: 0, reply: undefined });
  });

  it('aborts the upstream call when the client disconnects mid-stream', async () => {
    stack.fakes.primary.setOptions({ interChunkMs: 100, reply: Array.from({ length: 50 }, (_, i) => `word${i}`).join(' ') });
    const controller = new AbortController();
    const res = await fetch(`${stack.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat(true)),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('chat.completion.chunk');
    const aborted = stack.fakes.primary.waitForAbort(5000);
    controller.abort();
    await aborted;
    expect(stack.fakes.primary.stats.aborted).toBe(1);
    stack.fakes.primary.setOptions({ interChunkMs: 0, reply: undefined });
  });
});

describe('upstream failures with no target left', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      backends: [
        { name: 'only', protocol: 'openai', models: ['m1'], timeouts: { firstByteMs: 300 } },
        { name: 'gone', protocol: 'openai', models: ['m2'], down: true },
      ],
    });
  });
  afterEach(() => stack.fakes.only.reset());
  afterAll(() => stack.close());

  it.each([
    [{ mode: 'error', status: 429, retryAfterSec: 7 }, 429, 'rate_limit_error'],
    [{ mode: 'error', status: 500 }, 502, 'server_error'],
    [{ mode: 'error', status: 401 }, 401, 'authentication_error'],
    [{ mode: 'error', status: 404 }, 404, 'invalid_request_error'],
    [{ mode: 'timeout' }, 504, 'server_error'],
  ] as const)('maps %j to %i', async (fault, status, type) => {
    stack.fakes.only.setFault(fault);
    const res = await post(stack, { model: 'm1', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { type: string; message: string; param: unknown; code: unknown } };
    expect(body.error).toMatchObject({ type, message: expect.any(String) });
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    if (status === 429) expect(res.headers.get('retry-after')).toBe('7');
  });

  it('answers 503 when the backend refuses connections', async () => {
    const res = await post(stack, { model: 'm2', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
  });

  it('lets the official client see the status it would see from OpenAI', async () => {
    stack.fakes.only.setFault({ mode: 'error', status: 429 });
    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: ADMIN_KEY, maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'm1', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });
});

describe('the chain deadline', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      backends: [
        { name: 'slow-a', protocol: 'openai', models: ['m'], fake: { fault: { mode: 'timeout' } } },
        { name: 'slow-b', protocol: 'openai', models: ['m'], fake: { fault: { mode: 'timeout' } } },
      ],
      routing: { totalDeadlineMs: 500 },
    });
  });
  afterAll(() => stack.close());

  it('bounds all attempts together and answers 504', async () => {
    const t0 = Date.now();
    const res = await post(stack, { model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(504);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(inference(stack.fakes['slow-b'])).toBe(0);
    // What the attempts did is in the message too.
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^No backend answered within the deadline for model m \(slow-a: .+\)\.$/,
    );
  });
});

describe.each(['embedded', 'remote'] as const)('panic routing (%s)', (mode) => {
  // Chain cloud -> local, cloud-first. The local backend failed until its breaker opened, then came
  // back; then the cloud started answering 500. The local backend must still be tried.
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      mode,
      backends: [
        { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['gpt-x'] },
        { name: 'local', protocol: 'ollama', tier: 'local', models: ['llama3.2'] },
      ],
      models: [
        {
          name: 'chat',
          targets: [
            { backend: 'cloud', model: 'gpt-x' },
            { backend: 'local', model: 'llama3.2' },
          ],
        },
      ],
      // Breakers stay open for the whole test; probes only at start.
      policy: { strategy: 'cloud-first', breaker: { minRequests: 5, openMs: 600000 }, health: { intervalMs: 600000 } },
    });
  });
  afterAll(() => stack.close());

  type Explained = { candidates: { backend: string; panic?: boolean }[] };
  const explain = async (): Promise<Explained> => (await (await postJson(stack, chat(), {}, '/route/explain')).json()) as Explained;
  /** Polls the decision (the router learns outcomes a few ms late) until `ok`; bounded. */
  const until = async (ok: (d: Explained) => boolean): Promise<Explained> => {
    let d = await explain();
    for (let i = 0; i < 100 && !ok(d); i++) {
      await new Promise((r) => setTimeout(r, 20));
      d = await explain();
    }
    return d;
  };
  const liveCandidate = (d: Explained, backend: string): boolean => d.candidates.some((c) => c.backend === backend && !c.panic);

  it('tries a healthy backend its breaker excludes when everything before it fails, and says so', async () => {
    stack.fakes.local.setFault({ mode: 'error', status: 500 });
    for (let i = 0; i < 5; i++) {
      const res = await post(stack, { model: 'llama3.2', messages: [{ role: 'user', content: `fail ${i}` }] });
      expect(res.status).toBe(502);
      await res.text();
    }
    expect(liveCandidate(await until((d) => !liveCandidate(d, 'local')), 'local')).toBe(false);

    stack.fakes.local.setFault(undefined);
    stack.fakes.cloud.setFault({ mode: 'error', status: 500 });
    for (let i = 0; i < 3; i++) {
      const res = await post(stack, chat());
      expect(res.status).toBe(200);
      expect(res.headers.get('x-switchyard-backend')).toBe('local');
      const requestId = res.headers.get('x-request-id');
      await res.json();
      const lines = stack.logs().filter((l) => l.requestId === requestId);
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ backend: 'cloud', outcome: 'error', status: 502 }),
          expect.objectContaining({ backend: 'local', msg: expect.stringContaining('panic routing') }),
          expect.objectContaining({ backend: 'local', outcome: 'ok' }),
        ]),
      );
    }
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    expect(metrics).toMatch(/switchyard_panic_routing_total\{backend="local"\} 3\b/);
  });

  it('with every breaker open, tries the least recently failed first', async () => {
    // Two more cloud failures open its breaker too; local failed longer ago, so it goes first.
    for (let i = 0; i < 2; i++) {
      const res = await post(stack, chat());
      expect(res.status).toBe(200);
      await res.text();
    }
    const d = await until((x) => !liveCandidate(x, 'cloud'));
    expect(d.candidates.map((c) => [c.backend, c.panic])).toEqual([
      ['local', true],
      ['cloud', true],
    ]);
    const cloudCalls = inference(stack.fakes.cloud);
    const res = await post(stack, chat());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-backend')).toBe('local');
    expect(inference(stack.fakes.cloud)).toBe(cloudCalls);
  });
});

describe.each(['embedded', 'remote'] as const)('a cloud backend without a key (the default config with OPENAI_API_KEY unset, no Ollama; %s)', (mode) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      mode,
      backends: [
        { name: 'local-ollama', protocol: 'ollama', tier: 'local', models: ['llama3.2'], down: true },
        { name: 'openai', protocol: 'openai', tier: 'cloud', models: ['gpt-4o-mini'], apiKey: '' },
        { name: 'client-keyed', protocol: 'openai', tier: 'cloud', models: ['gpt-byok'], apiKey: '', allowClientKey: true },
      ],
      models: [
        {
          name: 'chat',
          targets: [
            { backend: 'local-ollama', model: 'llama3.2' },
            { backend: 'openai', model: 'gpt-4o-mini' },
          ],
        },
        { name: 'cloud-only', targets: [{ backend: 'openai', model: 'gpt-4o-mini' }] },
      ],
    });
  });
  afterAll(() => stack.close());

  it('is left out of every chain, with one start-up line saying so, and is never called', async () => {
    const notices = stack.logs().filter((l) => String(l.msg).startsWith('left out cloud backend'));
    expect(notices).toEqual([expect.objectContaining({ level: 40, backends: ['openai'], models: ['cloud-only'] })]);
    expect(notices[0].msg).toMatch(/openai: no API key/);

    const res = await post(stack, chat());
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('local-ollama');
    expect(inference(stack.fakes.openai)).toBe(0);

    const models = (await (await fetch(`${stack.baseURL}/models`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as { data: { id: string }[] };
    const ids = models.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['chat', 'gpt-byok']));
    expect(ids).not.toEqual(expect.arrayContaining(['gpt-4o-mini']));
    expect(ids).not.toEqual(expect.arrayContaining(['cloud-only']));
  });

  it('is kept with allowClientKey: true', async () => {
    const res = await post(stack, { model: 'gpt-byok', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-backend')).toBe('client-keyed');
    await res.json();
  });
});

describe('a whole chain failing', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      backends: [
        { name: 'local-ollama', protocol: 'ollama', tier: 'local', models: ['llama3.2'], down: true },
        { name: 'openai', protocol: 'openai', tier: 'cloud', models: ['gpt-4o-mini'] },
      ],
      models: [
        {
          name: 'chat',
          targets: [
            { backend: 'local-ollama', model: 'llama3.2' },
            { backend: 'openai', model: 'gpt-4o-mini' },
          ],
        },
      ],
      policy: { breaker: { minRequests: 100000 } },
    });
  });
  afterEach(() => stack.fakes.openai.reset());
  afterAll(() => stack.close());

  it.each([
    // A backend's 5xx text goes to the log only; its 4xx message reaches the client (masked).
    [{ mode: 'error', status: 500, message: 'overloaded' }, 502, 'openai: answered 500'],
    [
      { mode: 'error', status: 401, message: 'Incorrect API key provided: sk-abc1234567890' },
      401,
      'openai: answered 401: Incorrect API key provided: [REDACTED]',
    ],
  ] as const)('summarises every attempt in the error the client reads (%j)', async (fault, status, second) => {
    stack.fakes.openai.setFault(fault);
    const res = await post(stack, chat());
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toBe(`Every backend for model chat failed: local-ollama: connection refused; ${second}.`);
  });
});
