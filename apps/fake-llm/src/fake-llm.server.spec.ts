import Ajv from 'ajv';
import { countWords, fakeEmbedding, startFakeLlm, tokenizeReply, type FakeLlm, type FakeProtocol } from './fake-llm.server';

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

interface Frame {
  at: number;
  text: string;
}

/** Reads a streamed body split on `sep` ("\n\n" for SSE, "\n" for NDJSON), timestamping each frame. */
class FrameReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly dec = new TextDecoder();
  private buf = '';
  private readonly queue: Frame[] = [];
  private done = false;

  constructor(
    res: Response,
    private readonly sep: string,
  ) {
    if (!res.body) throw new Error('no body');
    this.reader = res.body.getReader();
  }

  async next(): Promise<Frame | undefined> {
    while (this.queue.length === 0) {
      if (this.done) return undefined;
      const r = await this.reader.read();
      const at = performance.now();
      if (r.done) {
        this.done = true;
        if (this.buf.trim() !== '') this.queue.push({ at, text: this.buf });
        this.buf = '';
        continue;
      }
      this.buf += this.dec.decode(r.value, { stream: true });
      let i: number;
      while ((i = this.buf.indexOf(this.sep)) >= 0) {
        const text = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + this.sep.length);
        if (text !== '') this.queue.push({ at, text });
      }
    }
    return this.queue.shift();
  }

  async all(): Promise<Frame[]> {
    const out: Frame[] = [];
    for (;;) {
      const f = await this.next();
      if (f === undefined) return out;
      out.push(f);
    }
  }

  /** Frames until the stream errors; returns what arrived plus the error. */
  async untilError(): Promise<{ frames: Frame[]; error: unknown }> {
    const frames: Frame[] = [];
    try {
      for (;;) {
        const f = await this.next();
        if (f === undefined) return { frames, error: undefined };
        frames.push(f);
      }
    } catch (error) {
      return { frames, error };
    }
  }
}

interface SseEvent {
  at: number;
  event: string | undefined;
  data: string;
}

function parseSse(frames: Frame[]): SseEvent[] {
  return frames.map((f) => {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of f.text.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    return { at: f.at, event, data: data.join('\n') };
  });
}

// Response bodies are inspected loosely in assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const asJson = (v: unknown): Json => v;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function post(fake: FakeLlm, path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${fake.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

function get(fake: FakeLlm, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fake.origin}${path}`, { headers });
}

/** Minimal JSON body per protocol for an inference request. */
function chatBody(protocol: FakeProtocol, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const messages = [{ role: 'user', content: 'hello world' }];
  if (protocol === 'anthropic') return { model: 'fake-model', max_tokens: 64, messages, ...extra };
  return { model: 'fake-model', messages, ...extra };
}

const CHAT_PATH: Record<FakeProtocol, string> = { openai: '/v1/chat/completions', ollama: '/api/chat', anthropic: '/v1/messages' };
const MODELS_PATH: Record<FakeProtocol, string> = { openai: '/v1/models', ollama: '/api/tags', anthropic: '/v1/models' };
const ANTHROPIC_HEADERS = { 'anthropic-version': '2023-06-01' };

// Structural subsets of OpenAI's official schemas (required fields + types).
const ajv = new Ajv({ strict: false });
const usageSchema = {
  type: 'object',
  required: ['prompt_tokens', 'completion_tokens', 'total_tokens'],
  properties: { prompt_tokens: { type: 'integer' }, completion_tokens: { type: 'integer' }, total_tokens: { type: 'integer' } },
};
const toolCallSchema = {
  type: 'object',
  required: ['id', 'type', 'function'],
  properties: {
    id: { type: 'string' },
    type: { enum: ['function'] },
    function: { type: 'object', required: ['name', 'arguments'], properties: { name: { type: 'string' }, arguments: { type: 'string' } } },
  },
};
const validateCompletion = ajv.compile({
  type: 'object',
  required: ['id', 'object', 'created', 'model', 'choices'],
  properties: {
    id: { type: 'string' },
    object: { enum: ['chat.completion'] },
    created: { type: 'integer' },
    model: { type: 'string' },
    system_fingerprint: { type: 'string' },
    usage: usageSchema,
    choices: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'message', 'finish_reason', 'logprobs'],
        properties: {
          index: { type: 'integer' },
          finish_reason: { enum: ['stop', 'length', 'tool_calls', 'content_filter', 'function_call'] },
          logprobs: { type: 'null' },
          message: {
            type: 'object',
            required: ['role', 'content', 'refusal'],
            properties: {
              role: { enum: ['assistant'] },
              content: { type: ['string', 'null'] },
              refusal: { type: ['string', 'null'] },
              tool_calls: { type: 'array', items: toolCallSchema },
            },
          },
        },
      },
    },
  },
});
const validateChunk = ajv.compile({
  type: 'object',
  required: ['id', 'object', 'created', 'model', 'choices'],
  properties: {
    id: { type: 'string' },
    object: { enum: ['chat.completion.chunk'] },
    created: { type: 'integer' },
    model: { type: 'string' },
    usage: { anyOf: [usageSchema, { type: 'null' }] },
    choices: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'delta', 'finish_reason'],
        properties: {
          index: { type: 'integer' },
          finish_reason: { enum: ['stop', 'length', 'tool_calls', 'content_filter', 'function_call', null] },
          delta: {
            type: 'object',
            properties: {
              role: { enum: ['developer', 'system', 'user', 'assistant', 'tool'] },
              content: { type: ['string', 'null'] },
              tool_calls: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['index'],
                  properties: {
                    index: { type: 'integer' },
                    id: { type: 'string' },
                    type: { enum: ['function'] },
                    function: { type: 'object', properties: { name: { type: 'string' }, arguments: { type: 'string' } } },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});

function expectValid(validate: ReturnType<typeof ajv.compile>, value: unknown): void {
  const ok = validate(value);
  if (!ok) throw new Error(`schema violation: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------------------------
// pure helpers
// ---------------------------------------------------------------------------------------------

describe('helpers', () => {
  it('tokenizes on word boundaries keeping spaces', () => {
    expect(tokenizeReply('Echo: hello world')).toEqual(['Echo:', ' hello', ' world']);
    expect(tokenizeReply('a  b ').join('')).toBe('a  b ');
    expect(tokenizeReply('')).toEqual([]);
    expect(countWords('  one two\nthree ')).toBe(3);
  });

  it('embeddings are deterministic, 8-dim, unit length', () => {
    const a = fakeEmbedding('x');
    expect(a).toHaveLength(8);
    expect(fakeEmbedding('x')).toEqual(a);
    expect(fakeEmbedding('y')).not.toEqual(a);
    expect(Math.sqrt(a.reduce((s, v) => s + v * v, 0))).toBeCloseTo(1, 5);
  });
});

// ---------------------------------------------------------------------------------------------
// OpenAI
// ---------------------------------------------------------------------------------------------

describe('openai protocol', () => {
  let fake: FakeLlm;
  beforeAll(async () => {
    fake = await startFakeLlm({ protocol: 'openai', models: ['fake-model', 'other'] });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.setOptions({ latencyMs: 0, ttftMs: 0, interChunkMs: 0, reply: undefined });
  });

  it('exposes origin and baseUrl', () => {
    expect(fake.protocol).toBe('openai');
    expect(fake.port).toBeGreaterThan(0);
    expect(fake.origin).toBe(`http://127.0.0.1:${fake.port}`);
    expect(fake.baseUrl).toBe(`${fake.origin}/v1`);
  });

  it('non-streaming chat completion matches the official schema', async () => {
    const res = await post(fake, '/v1/chat/completions', {
      model: 'other',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hello there world' }] },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json().then(asJson);
    expectValid(validateCompletion, body);
    expect(body.id).toMatch(/^chatcmpl-\d+$/);
    expect(body.model).toBe('other');
    expect(body.choices[0].message).toEqual({ role: 'assistant', content: 'Echo: hello there world', refusal: null });
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.usage).toEqual({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });
    expect(fake.stats).toMatchObject({ requests: 1, completed: 1, aborted: 0, inFlight: 0 });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'other' } });
    expect(fake.requests[0].headers['content-type']).toBe('application/json');
  });

  it('honours max_tokens / max_completion_tokens with finish_reason length', async () => {
    for (const key of ['max_tokens', 'max_completion_tokens']) {
      const body = await (await post(fake, '/v1/chat/completions', chatBody('openai', { [key]: 2 }))).json().then(asJson);
      expect(body.choices[0].message.content).toBe('Echo: hello');
      expect(body.choices[0].finish_reason).toBe('length');
      expect(body.usage.completion_tokens).toBe(2);
    }
  });

  it('answers n choices, or one with singleChoice', async () => {
    const body = await (await post(fake, '/v1/chat/completions', chatBody('openai', { n: 3 }))).json().then(asJson);
    expect(body.choices.map((c: { index: number }) => c.index)).toEqual([0, 1, 2]);
    const streamed = parseSse(await new FrameReader(await post(fake, '/v1/chat/completions', chatBody('openai', { n: 3, stream: true })), '\n\n').all());
    const indexes = streamed
      .filter((e) => e.data !== '[DONE]')
      .flatMap((e) => (JSON.parse(e.data) as { choices: { index: number }[] }).choices.map((c) => c.index));
    expect(new Set(indexes)).toEqual(new Set([0, 1, 2]));
    const single = await startFakeLlm({ protocol: 'openai', singleChoice: true });
    try {
      const one = await (await post(single, '/v1/chat/completions', chatBody('openai', { n: 3 }))).json().then(asJson);
      expect(one.choices).toHaveLength(1);
    } finally {
      await single.close();
    }
  });

  it('echoes the presented key in an error with echoKey', async () => {
    fake.setFault({ mode: 'error', status: 401, message: 'bad key', echoKey: true });
    const res = await fetch(`${fake.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer 0123abcd0123abcd' },
      body: JSON.stringify(chatBody('openai')),
    });
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('bad key (key: 0123abcd0123abcd)');
  });

  it('uses a fixed reply when configured', async () => {
    fake.setOptions({ reply: 'Fixed answer here' });
    const body = await (await post(fake, '/v1/chat/completions', chatBody('openai'))).json().then(asJson);
    expect(body.choices[0].message.content).toBe('Fixed answer here');
    expect(body.usage.completion_tokens).toBe(3);
  });

  it('adds latencyMs before non-streaming responses', async () => {
    fake.setOptions({ latencyMs: 120 });
    const t0 = performance.now();
    const res = await post(fake, '/v1/chat/completions', chatBody('openai'));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    expect(res.status).toBe(200);
  });

  it('streams chunks spaced by interChunkMs, with include_usage and [DONE]', async () => {
    fake.setOptions({ ttftMs: 60, interChunkMs: 40, reply: 'one two three four' });
    const t0 = performance.now();
    const res = await post(fake, '/v1/chat/completions', chatBody('openai', { stream: true, stream_options: { include_usage: true } }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = parseSse(await new FrameReader(res, '\n\n').all());
    expect(events[events.length - 1].data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    for (const c of chunks) expectValid(validateChunk, c);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const contentIdx = chunks.map((c, i) => (c.choices[0]?.delta?.content ? i : -1)).filter((i) => i >= 0);
    expect(contentIdx.map((i) => chunks[i].choices[0].delta.content)).toEqual(['one', ' two', ' three', ' four']);
    const finish = chunks[chunks.length - 2];
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    const usageChunk = chunks[chunks.length - 1];
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual({ prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });
    // timing: first content after ttft, subsequent content spaced by the inter-chunk delay
    const contentEvents = contentIdx.map((i) => events[i]);
    expect(contentEvents[0].at - t0).toBeGreaterThanOrEqual(45);
    for (let i = 1; i < contentEvents.length; i++) {
      expect(contentEvents[i].at - contentEvents[i - 1].at).toBeGreaterThanOrEqual(25);
    }
    expect(fake.stats).toMatchObject({ completed: 1, aborted: 0, inFlight: 0 });
  });

  it('streams truncation with finish_reason length and no usage chunk by default', async () => {
    const res = await post(fake, '/v1/chat/completions', chatBody('openai', { stream: true, max_tokens: 1 }));
    const events = parseSse(await new FrameReader(res, '\n\n').all());
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    expect(chunks.map((c) => c.choices[0].delta.content).join('')).toBe('Echo:');
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('length');
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
  });

  const tools = [
    { type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } },
    { type: 'function', function: { name: 'other', parameters: { type: 'object' } } },
  ];

  it('calls the first tool when tools are offered (non-streaming)', async () => {
    const body = await (await post(fake, '/v1/chat/completions', chatBody('openai', { tools }))).json().then(asJson);
    expectValid(validateCompletion, body);
    const choice = body.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls[0];
    expect(call).toMatchObject({ type: 'function', function: { name: 'lookup' } });
    expect(call.id).toMatch(/^call_\d+$/);
    expect(JSON.parse(call.function.arguments)).toEqual({ input: 'hello world' });
  });

  it('streams tool calls: header delta then >= 2 argument deltas', async () => {
    const res = await post(fake, '/v1/chat/completions', chatBody('openai', { tools, stream: true }));
    const events = parseSse(await new FrameReader(res, '\n\n').all());
    expect(events[events.length - 1].data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    for (const c of chunks) expectValid(validateChunk, c);
    const deltas = chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'lookup', arguments: '' } });
    expect(deltas[0].id).toMatch(/^call_\d+$/);
    const argDeltas = deltas.slice(1);
    expect(argDeltas.length).toBeGreaterThanOrEqual(2);
    for (const d of argDeltas) expect(d.index).toBe(0);
    expect(JSON.parse(argDeltas.map((d) => d.function.arguments).join(''))).toEqual({ input: 'hello world' });
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('tool_calls');
  });

  it('replies with the tool result after a tool message', async () => {
    const body = await (
      await post(fake, '/v1/chat/completions', {
        model: 'fake-model',
        tools,
        messages: [
          { role: 'user', content: 'look it up' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: '42 degrees' },
        ],
      })
    )
      .json()
      .then(asJson);
    expect(body.choices[0].message.content).toBe('Tool said: 42 degrees');
    expect(body.choices[0].finish_reason).toBe('stop');
  });

  it('does not call tools when tool_choice is none', async () => {
    const body = await (await post(fake, '/v1/chat/completions', chatBody('openai', { tools, tool_choice: 'none' }))).json().then(asJson);
    expect(body.choices[0].message.content).toBe('Echo: hello world');
  });

  it('embeddings: float and base64 encodings agree', async () => {
    const float = await (await post(fake, '/v1/embeddings', { model: 'fake-model', input: ['alpha beta', 'gamma'] })).json().then(asJson);
    expect(float.object).toBe('list');
    expect(float.model).toBe('fake-model');
    expect(float.data).toHaveLength(2);
    expect(float.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    expect(float.data[0].embedding).toEqual(fakeEmbedding('alpha beta'));
    expect(float.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const b64 = await (await post(fake, '/v1/embeddings', { model: 'fake-model', input: 'alpha beta', encoding_format: 'base64' })).json().then(asJson);
    const buf = Buffer.from(b64.data[0].embedding as string, 'base64');
    const decoded = Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(i * 4));
    expect(decoded).toEqual(float.data[0].embedding);
  });

  it('lists models and gets one', async () => {
    const list = await (await get(fake, '/v1/models')).json().then(asJson);
    expect(list).toEqual({
      object: 'list',
      data: [
        { id: 'fake-model', object: 'model', created: expect.any(Number), owned_by: 'fake-llm' },
        { id: 'other', object: 'model', created: expect.any(Number), owned_by: 'fake-llm' },
      ],
    });
    expect((await (await get(fake, '/v1/models/other')).json().then(asJson)).id).toBe('other');
    fake.setOptions({ models: ['fake-model', 'other', 'third'] });
    expect((await (await get(fake, '/v1/models')).json().then(asJson)).data).toHaveLength(3);
    fake.setOptions({ models: ['fake-model', 'other'] });
  });

  it('errors: unknown model 404, unknown path 404, invalid JSON 400, missing messages 400', async () => {
    const notFound = await post(fake, '/v1/chat/completions', { model: 'nope', messages: [{ role: 'user', content: 'x' }] });
    expect(notFound.status).toBe(404);
    const nf = await notFound.json().then(asJson);
    expect(nf.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });
    expect(Object.keys(nf.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    const badPath = await post(fake, '/v1/nothing', {});
    expect(badPath.status).toBe(404);
    expect((await badPath.json().then(asJson)).error.message).toMatch(/Invalid URL/);
    const badJson = await post(fake, '/v1/chat/completions', '{not json');
    expect(badJson.status).toBe(400);
    expect((await badJson.json().then(asJson)).error.type).toBe('invalid_request_error');
    const noMessages = await post(fake, '/v1/chat/completions', { model: 'fake-model' });
    expect(noMessages.status).toBe(400);
    expect(fake.requests[2].body).toBeUndefined();
  });

  it('requireApiKey: Bearer token required', async () => {
    const secured = await startFakeLlm({ protocol: 'openai', requireApiKey: 'sk-test' });
    try {
      const missing = await post(secured, '/v1/chat/completions', chatBody('openai'));
      expect(missing.status).toBe(401);
      expect((await missing.json().then(asJson)).error.code).toBe('invalid_api_key');
      const wrong = await post(secured, '/v1/chat/completions', chatBody('openai'), { authorization: 'Bearer nope' });
      expect(wrong.status).toBe(401);
      await wrong.arrayBuffer();
      const ok = await post(secured, '/v1/chat/completions', chatBody('openai'), { authorization: 'Bearer sk-test' });
      expect(ok.status).toBe(200);
      await ok.arrayBuffer();
      expect((await get(secured, '/v1/models')).status).toBe(401);
    } finally {
      await secured.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Ollama
// ---------------------------------------------------------------------------------------------

describe('ollama protocol', () => {
  let fake: FakeLlm;
  beforeAll(async () => {
    fake = await startFakeLlm({ protocol: 'ollama', models: ['fake-model', 'llama3:8b'] });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.setOptions({ latencyMs: 0, ttftMs: 0, interChunkMs: 0, reply: undefined });
  });

  it('baseUrl is the origin', () => {
    expect(fake.baseUrl).toBe(fake.origin);
  });

  it('/api/chat streams NDJSON by default, spaced by interChunkMs', async () => {
    fake.setOptions({ interChunkMs: 40, reply: 'one two three' });
    const res = await post(fake, '/api/chat', {
      model: 'fake-model',
      messages: [{ role: 'user', content: 'hi there' }],
      options: { temperature: 0.2, top_p: 0.9, seed: 1, stop: ['x'] },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const frames = await new FrameReader(res, '\n').all();
    const lines = frames.map((f) => JSON.parse(f.text));
    expect(lines).toHaveLength(4);
    for (const l of lines.slice(0, 3)) {
      expect(l).toEqual({ model: 'fake-model', created_at: expect.any(String), message: { role: 'assistant', content: expect.any(String) }, done: false });
    }
    expect(lines.slice(0, 3).map((l) => l.message.content)).toEqual(['one', ' two', ' three']);
    const last = lines[3];
    expect(last).toMatchObject({
      model: 'fake-model',
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 2,
      eval_count: 3,
      message: { role: 'assistant', content: '' },
    });
    for (const k of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration']) expect(typeof last[k]).toBe('number');
    expect(frames[1].at - frames[0].at).toBeGreaterThanOrEqual(25);
    expect(frames[2].at - frames[1].at).toBeGreaterThanOrEqual(25);
  });

  it('/api/chat stream:false returns one final object; num_predict truncates with done_reason length', async () => {
    const full = await (await post(fake, '/api/chat', chatBody('ollama', { stream: false }))).json().then(asJson);
    expect(full).toMatchObject({
      model: 'fake-model',
      done: true,
      done_reason: 'stop',
      message: { role: 'assistant', content: 'Echo: hello world' },
      eval_count: 3,
    });
    const cut = await (await post(fake, '/api/chat', chatBody('ollama', { stream: false, options: { num_predict: 2 } }))).json().then(asJson);
    expect(cut).toMatchObject({ done_reason: 'length', message: { content: 'Echo: hello' }, eval_count: 2 });
  });

  it('accepts name:latest aliases and 404s unknown models with the Ollama message', async () => {
    expect((await post(fake, '/api/chat', { ...chatBody('ollama', { stream: false }), model: 'fake-model:latest' })).status).toBe(200);
    const res = await post(fake, '/api/chat', { ...chatBody('ollama'), model: 'missing' });
    expect(res.status).toBe(404);
    expect(await res.json().then(asJson)).toEqual({ error: 'model "missing" not found, try pulling it first' });
  });

  const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];

  it('tool calls carry arguments as an object (stream and non-stream)', async () => {
    const body = await (await post(fake, '/api/chat', chatBody('ollama', { stream: false, tools }))).json().then(asJson);
    expect(body.message.tool_calls).toEqual([{ function: { name: 'get_weather', arguments: { input: 'hello world' } } }]);
    expect(body.done_reason).toBe('stop');
    const lines = (await new FrameReader(await post(fake, '/api/chat', chatBody('ollama', { tools })), '\n').all()).map((f) => JSON.parse(f.text));
    expect(lines[0].message.tool_calls[0].function).toEqual({ name: 'get_weather', arguments: { input: 'hello world' } });
    expect(lines[lines.length - 1]).toMatchObject({ done: true, done_reason: 'stop' });
  });

  it('replies with the tool result after a tool message', async () => {
    const body = await (
      await post(fake, '/api/chat', {
        model: 'fake-model',
        stream: false,
        tools,
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: {} } }] },
          { role: 'tool', content: 'sunny' },
        ],
      })
    )
      .json()
      .then(asJson);
    expect(body.message.content).toBe('Tool said: sunny');
  });

  it('/api/embed, /api/tags, /api/version, /', async () => {
    const emb = await (await post(fake, '/api/embed', { model: 'fake-model', input: ['a', 'b c'] })).json().then(asJson);
    expect(emb).toMatchObject({ model: 'fake-model', prompt_eval_count: 3, total_duration: expect.any(Number) });
    expect(emb.embeddings).toEqual([fakeEmbedding('a'), fakeEmbedding('b c')]);
    const single = await (await post(fake, '/api/embed', { model: 'fake-model', input: 'a' })).json().then(asJson);
    expect(single.embeddings).toEqual([fakeEmbedding('a')]);
    const tags = await (await get(fake, '/api/tags')).json().then(asJson);
    expect(tags.models.map((m: { name: string }) => m.name)).toEqual(['fake-model', 'llama3:8b']);
    expect(tags.models[0]).toEqual({
      name: 'fake-model',
      model: 'fake-model',
      modified_at: expect.any(String),
      size: expect.any(Number),
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      details: expect.objectContaining({ format: 'gguf' }),
    });
    expect((await (await get(fake, '/api/version')).json().then(asJson)).version).toEqual(expect.any(String));
    expect(await (await get(fake, '/')).text()).toBe('Ollama is running');
  });

  it('unknown path and invalid JSON use the {"error"} shape', async () => {
    const nf = await post(fake, '/api/nope', {});
    expect(nf.status).toBe(404);
    expect(typeof (await nf.json().then(asJson)).error).toBe('string');
    const bad = await post(fake, '/api/chat', '{');
    expect(bad.status).toBe(400);
    expect(typeof (await bad.json().then(asJson)).error).toBe('string');
  });
});

// ---------------------------------------------------------------------------------------------
// Anthropic
// ---------------------------------------------------------------------------------------------

describe('anthropic protocol', () => {
  let fake: FakeLlm;
  beforeAll(async () => {
    fake = await startFakeLlm({ protocol: 'anthropic', models: ['fake-model', 'claude-fake'] });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.setOptions({ latencyMs: 0, ttftMs: 0, interChunkMs: 0, reply: undefined });
  });

  it('non-streaming message; system counts toward input tokens', async () => {
    const res = await post(
      fake,
      '/v1/messages',
      {
        model: 'claude-fake',
        max_tokens: 100,
        system: [{ type: 'text', text: 'be very brief' }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hello world' }] }],
      },
      ANTHROPIC_HEADERS,
    );
    expect(res.status).toBe(200);
    const body = await res.json().then(asJson);
    expect(body).toEqual({
      id: expect.stringMatching(/^msg_\d+$/),
      type: 'message',
      role: 'assistant',
      model: 'claude-fake',
      content: [{ type: 'text', text: 'Echo: hello world' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 5, output_tokens: 3 },
    });
  });

  it('max_tokens is required and truncates with stop_reason max_tokens', async () => {
    const missing = await post(fake, '/v1/messages', { model: 'fake-model', messages: [{ role: 'user', content: 'x' }] }, ANTHROPIC_HEADERS);
    expect(missing.status).toBe(400);
    expect(await missing.json().then(asJson)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.any(String) } });
    const cut = await (await post(fake, '/v1/messages', chatBody('anthropic', { max_tokens: 1 }), ANTHROPIC_HEADERS)).json().then(asJson);
    expect(cut.content).toEqual([{ type: 'text', text: 'Echo:' }]);
    expect(cut.stop_reason).toBe('max_tokens');
    expect(cut.usage.output_tokens).toBe(1);
  });

  it('streams the documented SSE event sequence, spaced by interChunkMs', async () => {
    fake.setOptions({ interChunkMs: 40 });
    const res = await post(fake, '/v1/messages', chatBody('anthropic', { stream: true }), ANTHROPIC_HEADERS);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = parseSse(await new FrameReader(res, '\n\n').all());
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const data = events.map((e) => JSON.parse(e.data));
    for (let i = 0; i < events.length; i++) expect(data[i].type).toBe(events[i].event);
    expect(data[0].message).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      role: 'assistant',
      content: [],
      stop_reason: null,
      usage: { input_tokens: 2, output_tokens: 1 },
    });
    expect(data[1]).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    expect(data.slice(3, 6).map((d) => d.delta)).toEqual([
      { type: 'text_delta', text: 'Echo:' },
      { type: 'text_delta', text: ' hello' },
      { type: 'text_delta', text: ' world' },
    ]);
    expect(data[6]).toEqual({ type: 'content_block_stop', index: 0 });
    expect(data[7]).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 3 } });
    expect(events[4].at - events[3].at).toBeGreaterThanOrEqual(25);
    expect(events[5].at - events[4].at).toBeGreaterThanOrEqual(25);
  });

  const tools = [
    { name: 'search', description: 'search', input_schema: { type: 'object' } },
    { name: 'other', input_schema: { type: 'object' } },
  ];

  it('tool_use (non-streaming)', async () => {
    const body = await (await post(fake, '/v1/messages', chatBody('anthropic', { tools }), ANTHROPIC_HEADERS)).json().then(asJson);
    expect(body.stop_reason).toBe('tool_use');
    expect(body.content).toEqual([{ type: 'tool_use', id: expect.stringMatching(/^toolu_\d+$/), name: 'search', input: { input: 'hello world' } }]);
  });

  it('tool_use (streaming) with >= 2 input_json_delta pieces', async () => {
    const res = await post(fake, '/v1/messages', chatBody('anthropic', { tools, stream: true }), ANTHROPIC_HEADERS);
    const data = parseSse(await new FrameReader(res, '\n\n').all()).map((e) => JSON.parse(e.data));
    expect(data[1]).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'search', input: {} },
    });
    const pieces = data.filter((d) => d.type === 'content_block_delta').map((d) => d.delta);
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    for (const p of pieces) expect(p.type).toBe('input_json_delta');
    expect(JSON.parse(pieces.map((p) => p.partial_json).join(''))).toEqual({ input: 'hello world' });
    expect(data.find((d) => d.type === 'message_delta').delta.stop_reason).toBe('tool_use');
    expect(data[data.length - 1]).toEqual({ type: 'message_stop' });
  });

  it('replies with the tool_result content', async () => {
    const body = await (
      await post(
        fake,
        '/v1/messages',
        {
          model: 'fake-model',
          max_tokens: 50,
          tools,
          messages: [
            { role: 'user', content: 'find it' },
            { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'search', input: { q: 'it' } }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'found it' }] }] },
          ],
        },
        ANTHROPIC_HEADERS,
      )
    )
      .json()
      .then(asJson);
    expect(body.content).toEqual([{ type: 'text', text: 'Tool said: found it' }]);
    expect(body.stop_reason).toBe('end_turn');
  });

  it('lists models', async () => {
    const list = await (await get(fake, '/v1/models', ANTHROPIC_HEADERS)).json().then(asJson);
    expect(list).toEqual({
      data: [
        { type: 'model', id: 'fake-model', display_name: expect.any(String), created_at: expect.any(String) },
        { type: 'model', id: 'claude-fake', display_name: expect.any(String), created_at: expect.any(String) },
      ],
      has_more: false,
      first_id: 'fake-model',
      last_id: 'claude-fake',
    });
  });

  it('errors use the Anthropic shape (unknown model, unknown path, bad JSON)', async () => {
    const nf = await post(fake, '/v1/messages', { ...chatBody('anthropic'), model: 'nope' }, ANTHROPIC_HEADERS);
    expect(nf.status).toBe(404);
    expect((await nf.json().then(asJson)).error.type).toBe('not_found_error');
    const np = await post(fake, '/v1/nothing', {}, ANTHROPIC_HEADERS);
    expect(np.status).toBe(404);
    expect(await np.json().then(asJson)).toEqual({ type: 'error', error: { type: 'not_found_error', message: expect.any(String) } });
    const bad = await post(fake, '/v1/messages', '[', ANTHROPIC_HEADERS);
    expect(bad.status).toBe(400);
    expect((await bad.json().then(asJson)).error.type).toBe('invalid_request_error');
  });

  it('requireApiKey: x-api-key (or Bearer) plus anthropic-version', async () => {
    const secured = await startFakeLlm({ protocol: 'anthropic', requireApiKey: 'k1' });
    try {
      const missing = await post(secured, '/v1/messages', chatBody('anthropic'), ANTHROPIC_HEADERS);
      expect(missing.status).toBe(401);
      expect((await missing.json().then(asJson)).error.type).toBe('authentication_error');
      const noVersion = await post(secured, '/v1/messages', chatBody('anthropic'), { 'x-api-key': 'k1' });
      expect(noVersion.status).toBe(401);
      await noVersion.arrayBuffer();
      const ok = await post(secured, '/v1/messages', chatBody('anthropic'), { 'x-api-key': 'k1', ...ANTHROPIC_HEADERS });
      expect(ok.status).toBe(200);
      await ok.arrayBuffer();
      const bearer = await post(secured, '/v1/messages', chatBody('anthropic'), { authorization: 'Bearer k1', ...ANTHROPIC_HEADERS });
      expect(bearer.status).toBe(200);
      await bearer.arrayBuffer();
    } finally {
      await secured.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Faults, control API, aborts — every protocol
// ---------------------------------------------------------------------------------------------

describe.each<FakeProtocol>(['openai', 'ollama', 'anthropic'])('%s faults and control', (protocol) => {
  let fake: FakeLlm;
  const headers = protocol === 'anthropic' ? ANTHROPIC_HEADERS : {};
  const chat = (extra: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Response> =>
    post(fake, CHAT_PATH[protocol], chatBody(protocol, extra), headers, signal);
  const sep = protocol === 'ollama' ? '\n' : '\n\n';

  beforeAll(async () => {
    fake = await startFakeLlm({ protocol, reply: 'alpha beta gamma delta epsilon' });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.setOptions({ latencyMs: 0, ttftMs: 0, interChunkMs: 0 });
  });

  function contentFrames(frames: Frame[]): number {
    if (protocol === 'ollama') return frames.filter((f) => JSON.parse(f.text).done === false).length;
    return parseSse(frames).filter((e) => {
      if (e.data === '[DONE]') return false;
      const d = JSON.parse(e.data);
      return protocol === 'openai' ? typeof d.choices?.[0]?.delta?.content === 'string' && d.choices[0].delta.content !== '' : d.type === 'content_block_delta';
    }).length;
  }

  it("'error' responds with status in the protocol's shape; 429 sets retry-after; times limits it", async () => {
    fake.setFault({ mode: 'error' });
    const e500 = await chat({ stream: false });
    expect(e500.status).toBe(500);
    const b500 = await e500.json().then(asJson);
    if (protocol === 'openai') expect(b500.error).toMatchObject({ type: 'server_error', param: null, message: expect.any(String) });
    if (protocol === 'anthropic') expect(b500).toEqual({ type: 'error', error: { type: 'api_error', message: expect.any(String) } });
    if (protocol === 'ollama') expect(b500).toEqual({ error: expect.any(String) });
    // faults apply to model lists too
    const models = await get(fake, MODELS_PATH[protocol], headers);
    expect(models.status).toBe(500);
    await models.arrayBuffer();

    fake.setFault({ mode: 'error', status: 429, message: 'slow down', retryAfterSec: 7, times: 1 });
    const e429 = await chat();
    expect(e429.status).toBe(429);
    expect(e429.headers.get('retry-after')).toBe('7');
    const b429 = await e429.json().then(asJson);
    if (protocol === 'openai') expect(b429.error.message).toBe('slow down');
    if (protocol === 'anthropic') expect(b429.error).toEqual({ type: 'rate_limit_error', message: 'slow down' });
    if (protocol === 'ollama') expect(b429.error).toBe('slow down');
    const after = await chat({ stream: false });
    expect(after.status).toBe(200);
    await after.arrayBuffer();

    fake.setFault({ mode: 'error', status: 429 });
    const def = await chat();
    expect(def.headers.get('retry-after')).toBe('1');
    await def.arrayBuffer();
    // the control API is never faulted
    expect((await get(fake, '/_fake/stats')).status).toBe(200);
    if (protocol === 'anthropic') {
      fake.setFault({ mode: 'error', status: 529 });
      expect((await (await chat()).json().then(asJson)).error.type).toBe('overloaded_error');
    }
  });

  it("'timeout' never sends headers; the client giving up counts as an abort", async () => {
    fake.setFault({ mode: 'timeout' });
    const t0 = performance.now();
    await expect(chat({}, AbortSignal.timeout(150))).rejects.toThrow();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    await fake.waitForAbort(2000);
    expect(fake.stats).toMatchObject({ requests: 1, aborted: 1, completed: 0, inFlight: 0 });
  });

  it("'reset' destroys the socket without a response", async () => {
    fake.setFault({ mode: 'reset', times: 1 });
    await expect(chat({ stream: false })).rejects.toThrow();
    const ok = await chat({ stream: false });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    await sleep(20);
    expect(fake.stats).toMatchObject({ requests: 2, aborted: 0, completed: 1, inFlight: 0 });
  });

  it("'midstream' sends afterChunks content chunks then drops the connection", async () => {
    fake.setFault({ mode: 'midstream', afterChunks: 3 });
    const res = await chat({ stream: true });
    expect(res.status).toBe(200);
    const { frames, error } = await new FrameReader(res, sep).untilError();
    expect(error).toBeDefined();
    expect(contentFrames(frames)).toBe(3);
    // non-streaming: behaves like reset
    await expect(chat({ stream: false })).rejects.toThrow();
    // default afterChunks = 2
    fake.setFault({ mode: 'midstream' });
    const r2 = await new FrameReader(await chat({ stream: true }), sep).untilError();
    expect(r2.error).toBeDefined();
    expect(contentFrames(r2.frames)).toBe(2);
    expect(fake.stats.aborted).toBe(0);
  });

  it("'raw' answers exactly the status, headers and body asked for, padding included", async () => {
    fake.setFault({
      mode: 'raw',
      status: 418,
      headers: { 'x-raw': 'yes', 'content-type': 'text/plain' },
      body: 'ab',
      padBytes: 100_000,
      bodyEnd: 'yz',
      times: 1,
    });
    const res = await chat({ stream: false });
    expect(res.status).toBe(418);
    expect(res.headers.get('x-raw')).toBe('yes');
    const text = await res.text();
    expect(text).toHaveLength(100_004);
    expect(text.startsWith('abxxx')).toBe(true);
    expect(text.endsWith('xxyz')).toBe(true);
    expect((await chat({ stream: false })).status).toBe(200);
  });

  it("'stall' sends headers + first chunk then goes silent", async () => {
    fake.setFault({ mode: 'stall' });
    const ac = new AbortController();
    const res = await chat({ stream: true }, ac.signal);
    expect(res.status).toBe(200);
    const reader = new FrameReader(res, sep);
    const got: Frame[] = [];
    const pump = (async () => {
      for (;;) {
        const f = await reader.next();
        if (!f) return;
        got.push(f);
      }
    })().catch(() => undefined);
    await sleep(300);
    expect(contentFrames(got)).toBe(1);
    ac.abort();
    await pump;
    await fake.waitForAbort(2000);
    expect(fake.stats).toMatchObject({ aborted: 1, inFlight: 0 });
  });

  it('control API: /_fake/fault, /_fake/stats, /_fake/requests, /_fake/reset', async () => {
    const setRes = await post(fake, '/_fake/fault', { mode: 'error', status: 503, times: 2 });
    expect(setRes.status).toBe(200);
    await setRes.arrayBuffer();
    for (let i = 0; i < 2; i++) {
      const r = await chat();
      expect(r.status).toBe(503);
      await r.arrayBuffer();
    }
    const r3 = await chat({ stream: false });
    expect(r3.status).toBe(200);
    await r3.arrayBuffer();
    const stats = await (await get(fake, '/_fake/stats')).json().then(asJson);
    expect(stats).toEqual({ requests: 3, aborted: 0, completed: 3, inFlight: 0 });
    const recorded = await (await get(fake, '/_fake/requests')).json().then(asJson);
    expect(recorded.map((r: { method: string; path: string }) => `${r.method} ${r.path}`)).toEqual([
      'POST /_fake/fault',
      `POST ${CHAT_PATH[protocol]}`,
      `POST ${CHAT_PATH[protocol]}`,
      `POST ${CHAT_PATH[protocol]}`,
      'GET /_fake/stats',
      'GET /_fake/requests',
    ]);
    expect(recorded[0].body).toEqual({ mode: 'error', status: 503, times: 2 });
    expect(typeof recorded[1].at).toBe('number');

    const bad = await post(fake, '/_fake/fault', { mode: 'explode' });
    expect(bad.status).toBe(400);
    await bad.arrayBuffer();
    await (await post(fake, '/_fake/fault', { mode: 'reset' })).arrayBuffer();
    expect((await get(fake, '/_fake/stats')).status).toBe(200); // control API is exempt
    await (await post(fake, '/_fake/fault', { mode: 'none' })).arrayBuffer();
    const ok = await chat({ stream: false });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();

    await (await post(fake, '/_fake/reset', {})).arrayBuffer();
    expect(fake.requests).toEqual([]);
    expect(fake.stats).toEqual({ requests: 0, aborted: 0, completed: 0, inFlight: 0 });
  });

  it('detects a client abort mid-stream and stops streaming', async () => {
    fake.setOptions({ interChunkMs: 60 });
    const ac = new AbortController();
    const res = await chat({ stream: true }, ac.signal);
    const reader = new FrameReader(res, sep);
    await reader.next();
    const waiting = fake.waitForAbort(2000);
    ac.abort();
    await waiting;
    expect(fake.stats).toMatchObject({ requests: 1, aborted: 1, completed: 0, inFlight: 0 });
    // an abort that happened before waitForAbort() is still observed once, then a new one is needed
    await expect(fake.waitForAbort(100)).rejects.toThrow(/no aborted request/);
  });

  it('waitForAbort resolves for an abort that happened before the call', async () => {
    fake.setOptions({ ttftMs: 5000 });
    const ac = new AbortController();
    const res = await chat({ stream: true }, ac.signal);
    expect(res.status).toBe(200);
    ac.abort();
    await sleep(100);
    expect(fake.stats.aborted).toBe(1);
    await fake.waitForAbort(100);
  });
});

describe('lifecycle', () => {
  it('close() ends stalled and timed-out requests promptly', async () => {
    const fake = await startFakeLlm({ protocol: 'openai', fault: { mode: 'timeout' } });
    const pending = post(fake, '/v1/chat/completions', chatBody('openai')).then(
      () => 'resolved',
      () => 'rejected',
    );
    await sleep(50);
    expect(fake.stats.inFlight).toBe(1);
    const t0 = performance.now();
    await fake.close();
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(await pending).toBe('rejected');
    expect(fake.stats.aborted).toBe(0);
  });

  it('close() rejects pending waitForAbort and is idempotent', async () => {
    const fake = await startFakeLlm({ protocol: 'ollama' });
    const w = fake.waitForAbort(10_000);
    await fake.close();
    await expect(w).rejects.toThrow(/closed/);
    await fake.close();
  });

  it('maxRecordedRequests keeps only the most recent requests', async () => {
    const fake = await startFakeLlm({ protocol: 'ollama', maxRecordedRequests: 2 });
    try {
      for (const p of ['/api/version', '/api/tags', '/']) await (await get(fake, p)).arrayBuffer();
      expect(fake.requests.map((r) => r.path)).toEqual(['/api/tags', '/']);
      expect(fake.stats.requests).toBe(3);
    } finally {
      await fake.close();
    }
  });

  it('rejects an unknown protocol', async () => {
    await expect(startFakeLlm({ protocol: 'grpc' as FakeProtocol })).rejects.toThrow(/unknown protocol/);
  });
});
