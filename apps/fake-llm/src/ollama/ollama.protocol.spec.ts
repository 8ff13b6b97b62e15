import { fakeEmbedding, semanticEmbedding, startFakeLlm, type FakeLlm } from '../fake-llm.server';
import { FrameReader, asJson, post, get, chatBody } from '../fake-llm.client.mock';

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

  it('a model whose id contains "semantic" embeds paraphrase-aware on /api/embed and /api/embeddings', async () => {
    fake.setOptions({ models: ['fake-model', 'llama3:8b', 'semantic-embed'] });
    try {
      const emb = await (await post(fake, '/api/embed', { model: 'semantic-embed', input: ['How do I reset my password?', 'hi'] })).json().then(asJson);
      expect(emb.embeddings).toEqual([semanticEmbedding('How do I reset my password?'), semanticEmbedding('hi')]);
      expect(emb.embeddings[0]).toHaveLength(256);
      const latest = await (await post(fake, '/api/embed', { model: 'semantic-embed:latest', input: 'hi' })).json().then(asJson);
      expect(latest.embeddings).toEqual([semanticEmbedding('hi')]);
      const legacy = await (await post(fake, '/api/embeddings', { model: 'semantic-embed', prompt: 'hi' })).json().then(asJson);
      expect(legacy.embedding).toEqual(semanticEmbedding('hi'));
      const other = await (await post(fake, '/api/embeddings', { model: 'fake-model', prompt: 'hi' })).json().then(asJson);
      expect(other.embedding).toEqual(fakeEmbedding('hi'));
    } finally {
      fake.setOptions({ models: ['fake-model', 'llama3:8b'] });
    }
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
