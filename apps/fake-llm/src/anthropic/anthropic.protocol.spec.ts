import { startFakeLlm, type FakeLlm } from '../fake-llm.server';
import { FrameReader, parseSse, asJson, post, get, chatBody, ANTHROPIC_HEADERS } from '../fake-llm.client.mock';

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
