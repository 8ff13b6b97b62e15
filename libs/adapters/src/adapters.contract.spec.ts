import { parseConfig, UpstreamError, type ChatCompletionChunk, type ChatCompletionRequest } from '@switchyard/contracts';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import type { BackendAdapter } from './adapter';
import { ADAPTERS } from './registry';

// One contract every registered adapter keeps, checked against fake-llm speaking its protocol
// over real HTTP: the same OpenAI-shaped answers whatever the wire underneath.

const ctx = () => ({ signal: AbortSignal.timeout(5000), requestId: 'contract-test' });
const tool = { type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { input: { type: 'string' } } } } };

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

describe.each(ADAPTERS.map((a) => [a.protocol, a] as const))('%s adapter contract', (protocol, factory) => {
  let fake: FakeLlm;
  let adapter: BackendAdapter;

  beforeAll(async () => {
    fake = await startFakeLlm({ protocol, models: ['m'] });
    const config = parseConfig(
      JSON.stringify({ backends: [{ name: 'b', protocol, baseUrl: fake.baseUrl, tier: 'local', models: ['m'], timeouts: { firstByteMs: 500 } }] }),
    );
    adapter = factory.create(config.backends[0]);
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await adapter.close();
    await fake.close();
  });

  const request = (over: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
    model: 'public-name',
    messages: [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'contract words here' },
    ],
    ...over,
  });

  it('completes: content, finish_reason, usage, the backend model id', async () => {
    const res = await adapter.chat(request(), 'm', ctx());
    expect(res.object).toBe('chat.completion');
    expect(res.choices[0].message).toMatchObject({ role: 'assistant', content: 'Echo: contract words here' });
    expect(res.choices[0].finish_reason).toBe('stop');
    expect(res.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: 4, total_tokens: expect.any(Number) });
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + 4);
    expect(res.model).toBe('m');
  });

  it('streams: role first, content deltas, one finish, then a usage-only chunk', async () => {
    const chunks = await collect(await adapter.chatStream(request(), 'm', ctx()));
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Echo: contract words here');
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0].finish_reason)).toEqual(['stop']);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 4 });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('calls tools, non-streaming and streaming', async () => {
    const res = await adapter.chat(request({ tools: [tool] }), 'm', ctx());
    expect(res.choices[0].finish_reason).toBe('tool_calls');
    const call = res.choices[0].message.tool_calls![0];
    expect(call).toMatchObject({ type: 'function', function: { name: 'lookup' } });
    expect(JSON.parse(call.function.arguments)).toEqual({ input: 'contract words here' });

    const chunks = await collect(await adapter.chatStream(request({ tools: [tool] }), 'm', ctx()));
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, id: expect.any(String), type: 'function', function: { name: 'lookup' } });
    expect(JSON.parse(deltas.map((d) => d.function?.arguments ?? '').join(''))).toEqual({ input: 'contract words here' });
  });

  it('truncates at max_tokens with finish_reason length', async () => {
    const res = await adapter.chat(request({ max_tokens: 2 }), 'm', ctx());
    expect(res.choices[0].finish_reason).toBe('length');
  });

  it.each([
    [500, 'server_error', true],
    [503, 'server_error', true],
    [429, 'rate_limited', true],
    [400, 'client_error', false],
    [401, 'client_error', false],
  ] as const)('maps an upstream %i to %s (retryable: %s)', async (status, failure, retryable) => {
    fake.setFault({ mode: 'error', status });
    const err = (await adapter.chat(request(), 'm', ctx()).catch((e: unknown) => e)) as UpstreamError;
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ failure, retryable, upstreamStatus: status, backend: 'b' });
    const streamErr = await adapter
      .chatStream(request(), 'm', ctx())
      .then(collect)
      .catch((e: unknown) => e);
    expect(streamErr).toMatchObject({ failure, retryable });
  });

  it('keeps Retry-After from a 429', async () => {
    fake.setFault({ mode: 'error', status: 429, retryAfterSec: 9 });
    await expect(adapter.chat(request(), 'm', ctx())).rejects.toMatchObject({ status: 429, retryAfter: '9' });
  });

  it('times out when the backend does not answer within firstByteMs', async () => {
    fake.setFault({ mode: 'timeout' });
    await expect(adapter.chat(request(), 'm', ctx())).rejects.toMatchObject({ failure: 'timeout', status: 504, retryable: true });
  });

  it('reports a stream cut after its first chunks as a failure, not a short answer', async () => {
    fake.setFault({ mode: 'midstream', afterChunks: 2 });
    const got: ChatCompletionChunk[] = [];
    const err = await (async () => {
      for await (const c of await adapter.chatStream(request(), 'm', ctx())) got.push(c);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(got.length).toBeGreaterThan(0);
  });

  it('bounds a whole attempt by totalMs, even while chunks keep coming', async () => {
    const config = parseConfig(
      JSON.stringify({ backends: [{ name: 'b', protocol, baseUrl: fake.baseUrl, tier: 'local', models: ['m'], timeouts: { totalMs: 300, idleMs: 5000 } }] }),
    );
    const bounded = factory.create(config.backends[0]);
    fake.setOptions({ interChunkMs: 50, reply: Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ') });
    try {
      const err = await (async () => {
        for await (const _ of await bounded.chatStream(request(), 'm', ctx())) void _;
      })().catch((e: unknown) => e);
      expect(err).toMatchObject({ failure: 'timeout', status: 504 });
    } finally {
      fake.setOptions({ interChunkMs: 0, reply: undefined });
      await bounded.close();
    }
  });

  it('probes reachability', async () => {
    await expect(adapter.probe(AbortSignal.timeout(2000))).resolves.toBeUndefined();
  });

  describe("a call's own key", () => {
    const BACKEND_KEY = 'backend-own-key-0123456789';
    const CALL_KEY = 'a1b2c3d4e5f6a7b8c9d0'; // no known key shape: only masking by value catches it
    let keyed: BackendAdapter;
    /** The key a call presented, as the protocol carries it (`x-api-key` or `Authorization: Bearer`). */
    const presented = (): string => {
      const h = fake.requests.filter((r) => r.method === 'POST').at(-1)!.headers;
      return typeof h['x-api-key'] === 'string' ? h['x-api-key'] : String(h.authorization ?? '').replace(/^Bearer /, '');
    };

    beforeAll(() => {
      const config = parseConfig(
        JSON.stringify({ backends: [{ name: 'b', protocol, baseUrl: fake.baseUrl, tier: 'cloud', apiKey: BACKEND_KEY, models: ['m'] }] }),
      );
      keyed = factory.create(config.backends[0]);
    });
    afterAll(() => keyed.close());

    it("replaces the backend's key on that call only, streaming or not", async () => {
      await keyed.chat(request(), 'm', ctx());
      expect(presented()).toBe(BACKEND_KEY);
      await keyed.chat(request(), 'm', { ...ctx(), apiKey: CALL_KEY });
      expect(presented()).toBe(CALL_KEY);
      await collect(await keyed.chatStream(request(), 'm', { ...ctx(), apiKey: CALL_KEY }));
      expect(presented()).toBe(CALL_KEY);
      expect(JSON.stringify(fake.requests.at(-1)!.headers)).not.toContain(BACKEND_KEY);
      await keyed.chat(request(), 'm', ctx());
      expect(presented()).toBe(BACKEND_KEY);
    });

    it('is masked in what a backend that echoes it says', async () => {
      fake.setFault({ mode: 'error', status: 401, echoKey: true });
      const err = (await keyed.chat(request(), 'm', { ...ctx(), apiKey: CALL_KEY }).catch((e: unknown) => e)) as UpstreamError;
      expect(err).toBeInstanceOf(UpstreamError);
      expect(`${err.message} ${err.detail}`).toContain('[REDACTED]');
      expect(`${err.message} ${err.detail}`).not.toContain(CALL_KEY);
    });
  });
});
