import Ajv from 'ajv';
import { fakeEmbedding, semanticEmbedding, startFakeLlm, type FakeLlm } from '../fake-llm.server';
import { FrameReader, parseSse, asJson, post, get, chatBody } from '../fake-llm.client.mock';

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

  it('embeddings: a model whose id contains "semantic" answers paraphrase-aware 256-dim vectors, in both encodings', async () => {
    fake.setOptions({ models: ['fake-model', 'other', 'semantic-embed'] });
    try {
      const texts = ['How do I reset my password?', "What's the way to reset my password?"];
      const float = await (await post(fake, '/v1/embeddings', { model: 'semantic-embed', input: texts })).json().then(asJson);
      expect(float.model).toBe('semantic-embed');
      expect(float.data.map((d: { embedding: number[] }) => d.embedding)).toEqual(texts.map((t) => semanticEmbedding(t)));
      expect(float.data[0].embedding).toHaveLength(256);
      const b64 = await (await post(fake, '/v1/embeddings', { model: 'semantic-embed', input: texts[0], encoding_format: 'base64' })).json().then(asJson);
      const buf = Buffer.from(b64.data[0].embedding as string, 'base64');
      expect(Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(i * 4))).toEqual(float.data[0].embedding);
    } finally {
      fake.setOptions({ models: ['fake-model', 'other'] });
    }
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
