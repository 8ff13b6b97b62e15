import Anthropic from '@anthropic-ai/sdk';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Protocol } from '@switchyard/contracts';
import { assertAnthropicSchema } from './support/anthropic-schemas';
import { ADMIN_KEY, inferenceCalls, startStack, type Stack } from './support/stack';

// Anthropic's official SDK, unchanged but for its base URL, against the gateway's /v1/messages in
// front of each backend protocol. Every message, stream event and error is checked against
// Anthropic's published shapes (test/support/anthropic-schemas.json).

const PROTOCOLS: { protocol: Protocol; model: string }[] = [
  { protocol: 'openai', model: 'gpt-4o-mini' },
  { protocol: 'ollama', model: 'llama3.2' },
  { protocol: 'anthropic', model: 'claude-sonnet-4-5' },
];

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { input: { type: 'string' } } },
};

/** POSTs to the gateway as a bare HTTP client would (headers and bodies the SDK would not send). */
function post(stack: Stack, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': ADMIN_KEY, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function sseEvents(res: Response): Promise<EventSourceMessage[]> {
  return parseSse(await res.text());
}

function parseSse(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  parser.feed(text);
  return events;
}

/** Named events as Anthropic's API writes them. */
function sseText(events: [name: string, data: unknown][]): string {
  return events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('');
}

/** The text a stream of events said (text_delta only). */
function streamedText(events: EventSourceMessage[]): string {
  return events
    .map((e) => JSON.parse(e.data) as { type: string; delta?: { type: string; text?: string } })
    .map((d) => (d.type === 'content_block_delta' && d.delta?.type === 'text_delta' ? d.delta.text : ''))
    .join('');
}

/** The access log line of a request; the outcome of a stream is written just after its last byte (waits up to 2 s). */
async function accessLine(stack: Stack, requestId: string): Promise<Record<string, unknown> | undefined> {
  for (let i = 0; i < 40; i++) {
    const line = stack.logs().find((l) => l.component === 'access' && l.requestId === requestId);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

// A PNG of one pixel: an image block's base64 data.
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe.each(PROTOCOLS)('Anthropic SDK through /v1/messages to a $protocol backend', ({ protocol, model }) => {
  const backend = `${protocol}-backend`;
  let stack: Stack;
  let client: Anthropic;

  beforeAll(async () => {
    stack = await startStack({
      backends: [{ name: backend, protocol, tier: protocol === 'anthropic' ? 'cloud' : 'local', models: [model] }],
      models: [
        { name: 'chat', targets: [{ backend, model }] },
        // An Anthropic model name as an alias of whatever serves it.
        { name: 'claude-sonnet-4-5-alias', targets: [{ backend, model }] },
      ],
    });
    client = new Anthropic({ baseURL: stack.url, apiKey: ADMIN_KEY, maxRetries: 0 });
  });
  afterAll(() => stack.close());

  it('answers a message, with routing headers', async () => {
    const { data, response } = await client.messages
      .create({ model: 'chat', max_tokens: 50, system: 'Be brief.', messages: [{ role: 'user', content: 'hello gateway' }] })
      .withResponse();
    assertAnthropicSchema('Message', data);
    expect(data).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Echo: hello gateway' }], stop_reason: 'end_turn' });
    expect(data.usage.output_tokens).toBe(3);
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-switchyard-backend')).toBe(backend);
    expect(response.headers.get('x-switchyard-route')).toBe('model:chat');
    expect(response.headers.get('server-timing')).toMatch(/^gateway;dur=\d+(\.\d+)?, upstream;dur=\d+(\.\d+)?$/);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('takes text blocks, system blocks and an alias', async () => {
    const data = await client.messages.create({
      model: 'claude-sonnet-4-5-alias',
      max_tokens: 50,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'blocks work' }] }],
    });
    assertAnthropicSchema('Message', data);
    expect(data.content).toEqual([{ type: 'text', text: 'Echo: blocks work' }]);
  });

  it('streams with messages.stream(): every event valid, the final message assembled', async () => {
    const stream = client.messages.stream({ model: 'chat', max_tokens: 50, messages: [{ role: 'user', content: 'stream me three words' }] });
    const types: string[] = [];
    stream.on('streamEvent', (event) => {
      assertAnthropicSchema('StreamEvent', event);
      types.push(event.type);
    });
    const message = await stream.finalMessage();
    assertAnthropicSchema('Message', message);
    expect(message.content).toEqual([{ type: 'text', text: 'Echo: stream me three words' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(5);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types).toContain('content_block_delta');
  });

  it("streams Anthropic's event sequence on the wire: named events, a ping after message_start (an Anthropic backend's own where it put it), headers", async () => {
    const res = await post(stack, '/v1/messages', { model: 'chat', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi there' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-switchyard-backend')).toBe(backend);
    const events = await sseEvents(res);
    for (const e of events) {
      const data = JSON.parse(e.data) as { type: string };
      assertAnthropicSchema('StreamEvent', data);
      expect(e.event).toBe(data.type);
    }
    // The door encodes with a ping right after message_start; an Anthropic backend's stream comes as it
    // was sent, and the fake, as Anthropic's API does, pings after the first content_block_start.
    const start = protocol === 'anthropic' ? ['message_start', 'content_block_start', 'ping'] : ['message_start', 'ping', 'content_block_start'];
    expect(events.map((e) => e.event)).toEqual([
      ...start,
      ...events.filter((e) => e.event === 'content_block_delta').map(() => 'content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('ends a stream that fails midway with an error event, which the SDK throws', async () => {
    // The fake cuts the stream after two chunks; set again for each call, it fails both.
    const fault = { mode: 'midstream', afterChunks: 2 } as const;
    const params = { model: 'chat', max_tokens: 50, messages: [{ role: 'user' as const, content: 'one two three four five' }] };
    try {
      stack.fakes[backend].setFault(fault);
      const res = await post(stack, '/v1/messages', { ...params, stream: true });
      expect(res.status).toBe(200);
      const events = await sseEvents(res);
      const last = events[events.length - 1];
      expect(last.event).toBe('error');
      assertAnthropicSchema('ErrorEvent', JSON.parse(last.data));
      expect(events.map((e) => e.event)).not.toContain('message_stop');
      stack.fakes[backend].setFault(fault);
      await expect(client.messages.stream(params).finalMessage()).rejects.toBeInstanceOf(Anthropic.APIError);
    } finally {
      stack.fakes[backend].setFault(undefined);
    }
  });

  it('runs a tool-use round trip: a tool call, then a tool_result turn', async () => {
    const first = await client.messages.create({
      model: 'chat',
      max_tokens: 100,
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'weather in Paris' }],
    });
    assertAnthropicSchema('Message', first);
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(call).toMatchObject({ name: 'get_weather', input: { input: 'weather in Paris' } });

    const second = await client.messages.create({
      model: 'chat',
      max_tokens: 100,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'weather in Paris' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call!.id, content: 'sunny' }] },
      ],
    });
    assertAnthropicSchema('Message', second);
    expect(second.content).toEqual([{ type: 'text', text: 'Tool said: sunny' }]);
    expect(second.stop_reason).toBe('end_turn');
  });

  it('streams a tool call as input_json_delta that the SDK assembles', async () => {
    const stream = client.messages.stream({ model: 'chat', max_tokens: 100, tools: [weatherTool], messages: [{ role: 'user', content: 'weather in Oslo' }] });
    let deltas = 0;
    stream.on('streamEvent', (event) => {
      assertAnthropicSchema('StreamEvent', event);
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') deltas++;
    });
    const message = await stream.finalMessage();
    expect(deltas).toBeGreaterThan(0);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { input: 'weather in Oslo' } });
  });

  it('stops at max_tokens with stop_reason max_tokens, streamed or not', async () => {
    const params = { model: 'chat', max_tokens: 2, messages: [{ role: 'user' as const, content: 'one two three four five' }] };
    const res = await client.messages.create(params);
    assertAnthropicSchema('Message', res);
    expect(res.stop_reason).toBe('max_tokens');
    expect((await client.messages.stream(params).finalMessage()).stop_reason).toBe('max_tokens');
  });

  it('counts tokens (an estimate), without calling a backend', async () => {
    const before = inferenceCalls(stack.fakes[backend]).length;
    const count = await client.messages.countTokens({ model: 'chat', system: 'Be brief.', messages: [{ role: 'user', content: 'Say hello in French.' }] });
    assertAnthropicSchema('MessageTokensCount', count);
    expect(count.input_tokens).toBeGreaterThan(3);
    const withTools = await client.messages.countTokens({ model: 'chat', tools: [weatherTool], messages: [{ role: 'user', content: 'Say hello in French.' }] });
    expect(withTools.input_tokens).toBeGreaterThan(count.input_tokens - 3);
    expect(inferenceCalls(stack.fakes[backend]).length).toBe(before);
    await expect(client.messages.countTokens({ model: 'claude-9', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404 });
  });

  it("answers errors in Anthropic's shape: bad key, bad model, missing max_tokens", async () => {
    const badKey = new Anthropic({ baseURL: stack.url, apiKey: 'wrong', maxRetries: 0 });
    await expect(badKey.messages.create({ model: 'chat', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 401,
      error: { type: 'error', error: { type: 'authentication_error' } },
    });
    await expect(client.messages.create({ model: 'claude-9', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 404,
      error: { type: 'error', error: { type: 'not_found_error' } },
    });
    const noMax = { model: 'chat', messages: [{ role: 'user', content: 'x' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming;
    await expect(client.messages.create(noMax)).rejects.toMatchObject({
      status: 400,
      error: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } },
    });

    const cases: [body: unknown, status: number, message: RegExp][] = [
      [{ model: 'chat', messages: [{ role: 'user', content: 'x' }] }, 400, /^max_tokens: Field required$/],
      [{ model: 'chat', max_tokens: 0, messages: [{ role: 'user', content: 'x' }] }, 400, /^max_tokens: /],
      [{ model: 'chat', max_tokens: 5, temperature: 1.5, messages: [{ role: 'user', content: 'x' }] }, 400, /^temperature: /],
      [{ model: 'chat', max_tokens: 5, messages: [] }, 400, /^messages: /],
      [{ model: 'chat', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }, 400, /^messages\.0\.role: /],
      [{ model: 'chat', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 400, /^messages\.0\.content\.0\.text: /],
      [{ model: 'chat', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'video' }] }] }, 400, /^messages\.0\.content\.0\.type: /],
      [{ model: 'chat', max_tokens: 5, tools: [{ name: 'f' }], messages: [{ role: 'user', content: 'x' }] }, 400, /^tools\.0\.input_schema: /],
      [{ model: 'chat', max_tokens: 5, tool_choice: { type: 'tool' }, messages: [{ role: 'user', content: 'x' }] }, 400, /^tool_choice\.name: /],
      [['not', 'an', 'object'], 400, /JSON object/],
      [{ model: 'claude-9', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, 404, /claude-9/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(stack, '/v1/messages', body);
      const error = (await res.json()) as { error: { message: string } };
      expect([res.status, error.error.message]).toEqual([status, expect.stringMatching(message)]);
      assertAnthropicSchema('ErrorResponse', error);
    }
    const unparsable = await fetch(`${stack.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: '{',
    });
    expect(unparsable.status).toBe(400);
    assertAnthropicSchema('ErrorResponse', await unparsable.json());
  });

  it("sends an Anthropic backend the client's own bytes when nothing changes; other protocols the translated request", async () => {
    const fake = stack.fakes[backend];
    const text = JSON.stringify({
      model,
      max_tokens: 2048,
      top_k: 40,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'keep my bytes', cache_control: { type: 'ephemeral' } }] }],
    });
    const send = async (body: string): Promise<string> => {
      const before = inferenceCalls(fake).length;
      const res = await fetch(`${stack.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body });
      expect(res.status).toBe(200);
      assertAnthropicSchema('Message', await res.json());
      return inferenceCalls(fake)[before].text ?? '';
    };
    const direct = await send(text);
    // Through a public name the backend's own model id goes in its place.
    const aliased = JSON.parse(await send(text.replace(`"model":"${model}"`, '"model":"chat"'))) as Record<string, unknown>;
    if (protocol === 'anthropic') {
      expect(direct).toBe(text);
      expect(aliased).toEqual({ ...(JSON.parse(text) as object), model, stream: false });
    } else {
      expect(direct).not.toContain('budget_tokens');
      expect(direct).toContain('keep my bytes');
    }
  });

  if (protocol === 'anthropic')
    it("answers with an Anthropic backend's own message, byte for byte: thinking blocks, stop_sequence and all", async () => {
      const answer = JSON.stringify({
        id: 'msg_01Passthrough',
        type: 'message',
        role: 'assistant',
        model,
        content: [
          { type: 'thinking', thinking: 'Count the words.', signature: 'EqQBCgIYAhIM' },
          { type: 'text', text: 'one two' },
        ],
        stop_reason: 'stop_sequence',
        stop_sequence: 'three',
        usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 2, service_tier: 'standard' },
      });
      stack.fakes[backend].setFault({ mode: 'raw', status: 200, headers: { 'content-type': 'application/json' }, body: answer, times: 1 });
      const res = await post(stack, '/v1/messages', {
        model: 'chat',
        max_tokens: 2048,
        stop_sequences: ['three'],
        messages: [{ role: 'user', content: 'count' }],
      });
      const text = await res.text();
      expect(text).toBe(answer);
      assertAnthropicSchema('Message', JSON.parse(text));
    });

  if (protocol === 'anthropic')
    it("streams an Anthropic backend's own events, byte for byte: thinking, signature_delta, stop_sequence and all", async () => {
      const wire = sseText([
        [
          'message_start',
          {
            type: 'message_start',
            message: {
              id: 'msg_01Relayed',
              type: 'message',
              role: 'assistant',
              model,
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 12, cache_read_input_tokens: 5, output_tokens: 1, service_tier: 'standard' },
            },
          },
        ],
        ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }],
        ['ping', { type: 'ping' }],
        ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Count the words.' } }],
        ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA' } }],
        ['content_block_stop', { type: 'content_block_stop', index: 0 }],
        ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }],
        ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'one two' } }],
        ['content_block_stop', { type: 'content_block_stop', index: 1 }],
        ['message_delta', { type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: 'three' }, usage: { output_tokens: 9 } }],
        ['message_stop', { type: 'message_stop' }],
      ]);
      const fault = { mode: 'raw', status: 200, headers: { 'content-type': 'text/event-stream' }, body: wire, times: 1 } as const;
      const params = {
        model: 'chat',
        max_tokens: 2048,
        stop_sequences: ['three'],
        thinking: { type: 'enabled' as const, budget_tokens: 1024 },
        messages: [{ role: 'user' as const, content: 'count' }],
      };

      stack.fakes[backend].setFault(fault);
      const res = await post(stack, '/v1/messages', { ...params, stream: true });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toBe(wire);
      for (const e of parseSse(text)) assertAnthropicSchema('StreamEvent', JSON.parse(e.data));
      // The tokens the backend reported reach the request's outcome (cache reads count as input).
      expect(await accessLine(stack, res.headers.get('x-request-id')!)).toMatchObject({ inputTokens: 17, outputTokens: 9, streamed: true });

      stack.fakes[backend].setFault(fault);
      const stream = client.messages.stream(params);
      stream.on('streamEvent', (event) => assertAnthropicSchema('StreamEvent', event));
      const message = await stream.finalMessage();
      assertAnthropicSchema('Message', message);
      expect(message).toMatchObject({
        id: 'msg_01Relayed',
        model,
        content: [
          { type: 'thinking', thinking: 'Count the words.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA' },
          { type: 'text', text: 'one two' },
        ],
        stop_reason: 'stop_sequence',
        stop_sequence: 'three',
      });
    });

  if (protocol === 'openai')
    it("says stop_sequence when the backend names the stop sequence it matched (vLLM's stop_reason), end_turn when it cannot tell", async () => {
      const fake = stack.fakes[backend];
      const params = { model: 'chat', max_tokens: 50, stop_sequences: ['three'], messages: [{ role: 'user' as const, content: 'one two three four' }] };
      // OpenAI strips the sequence and says only `stop`, as the fake does: a stop sequence cannot be told from the end of the turn.
      expect(await client.messages.create(params)).toMatchObject({ stop_reason: 'end_turn', stop_sequence: null });

      const base = { id: 'chatcmpl-vllm', created: 1_700_000_000, model };
      const chunk = (delta: object, finish: string | null, extra: object = {}) =>
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null, ...extra }] })}\n\n`;
      const usage = { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 };
      const vllmStream = [
        chunk({ role: 'assistant', content: '' }, null),
        chunk({ content: 'one two ' }, null),
        chunk({}, 'stop', { stop_reason: 'three' }),
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`,
        'data: [DONE]\n\n',
      ].join('');
      fake.setFault({ mode: 'raw', status: 200, headers: { 'content-type': 'text/event-stream' }, body: vllmStream, times: 1 });
      const streamed = await client.messages.stream(params).finalMessage();
      assertAnthropicSchema('Message', streamed);
      expect(streamed).toMatchObject({ content: [{ type: 'text', text: 'one two ' }], stop_reason: 'stop_sequence', stop_sequence: 'three' });

      const vllmAnswer = JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: 'one two ' }, finish_reason: 'stop', stop_reason: 'three', logprobs: null }],
        usage,
      });
      fake.setFault({ mode: 'raw', status: 200, headers: { 'content-type': 'application/json' }, body: vllmAnswer, times: 1 });
      const answered = await client.messages.create(params);
      assertAnthropicSchema('Message', answered);
      expect(answered).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'three' });
    });

  it("passes image blocks, base64 and URL, on in the backend's own form", async () => {
    const fake = stack.fakes[backend];
    const text = { type: 'text' as const, text: 'what is this?' };
    const base64 = { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png' as const, data: PIXEL } };
    const url = { type: 'image' as const, source: { type: 'url' as const, url: 'https://example.com/cat.png' } };
    const ask = (content: Anthropic.ContentBlockParam[]) => client.messages.create({ model: 'chat', max_tokens: 20, messages: [{ role: 'user', content }] });
    const before = inferenceCalls(fake).length;
    if (protocol === 'ollama') {
      assertAnthropicSchema('Message', await ask([text, base64]));
      expect(inferenceCalls(fake)[before].body).toMatchObject({ messages: [{ role: 'user', content: 'what is this?', images: [PIXEL] }] });
      // Ollama cannot fetch an image from its URL.
      await expect(ask([text, url])).rejects.toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error' } } });
      return;
    }
    assertAnthropicSchema('Message', await ask([text, base64, url]));
    const [sent] = inferenceCalls(fake).slice(before);
    const expected =
      protocol === 'openai'
        ? [
            text,
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PIXEL}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          ]
        : [text, base64, url];
    expect((sent.body as { messages: unknown }).messages).toEqual([{ role: 'user', content: expected }]);
  });

  it('accepts Authorization: Bearer as well as x-api-key, and passes anthropic-beta on to Anthropic backends only', async () => {
    const fake = stack.fakes[backend];
    const before = inferenceCalls(fake).length;
    // `?beta=true` as the SDK's beta client calls it.
    const res = await fetch(`${stack.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'anthropic-beta': 'token-efficient-tools-2025-02-19', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', max_tokens: 20, messages: [{ role: 'user', content: 'beta' }] }),
    });
    expect(res.status).toBe(200);
    assertAnthropicSchema('Message', await res.json());
    const [sent] = inferenceCalls(fake).slice(before);
    if (protocol === 'anthropic') expect(sent.headers['anthropic-beta']).toBe('token-efficient-tools-2025-02-19');
    else expect(sent.headers['anthropic-beta']).toBeUndefined();
  });
});

describe('/v1/messages under a local-only privacy policy', () => {
  const EMAIL = 'jane.doe@example.org';
  let stack: Stack;
  let client: Anthropic;

  beforeAll(async () => {
    stack = await startStack({
      backends: [
        { name: 'local', protocol: 'openai', tier: 'local', models: ['local-chat'] },
        { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['gpt'] },
        { name: 'cloud-claude', protocol: 'anthropic', tier: 'cloud', models: ['claude-x'] },
      ],
      models: [
        {
          name: 'claude',
          targets: [
            { backend: 'cloud-claude', model: 'claude-x' },
            { backend: 'cloud', model: 'gpt' },
            { backend: 'local', model: 'local-chat' },
          ],
        },
      ],
      policy: { strategy: 'cloud-first', privacy: { onPii: 'local-only' } },
    });
    client = new Anthropic({ baseURL: stack.url, apiKey: ADMIN_KEY, maxRetries: 0 });
  });
  afterAll(() => stack.close());

  const cloudCalls = (): string[] =>
    [stack.fakes.cloud, stack.fakes['cloud-claude']].flatMap((f) => inferenceCalls(f).map((r) => `${r.text ?? ''}\n${JSON.stringify(r.headers)}`));

  it('sends a clean message to the cloud first', async () => {
    const { response } = await client.messages.create({ model: 'claude', max_tokens: 20, messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    expect(response.headers.get('x-switchyard-tier')).toBe('cloud');
  });

  it.each([
    { where: 'the system prompt', params: { system: `Reply to ${EMAIL}.`, messages: [{ role: 'user' as const, content: 'hello' }] } },
    { where: 'a text block', params: { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: `mail ${EMAIL}` }] }] } },
    {
      where: 'a tool result',
      params: {
        tools: [weatherTool],
        messages: [
          { role: 'user' as const, content: 'who is it?' },
          { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 'toolu_1', name: 'get_weather', input: {} }] },
          { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_1', content: [{ type: 'text' as const, text: EMAIL }] }] },
        ],
      },
    },
  ])('keeps PII in $where away from every cloud backend, streamed or not', async ({ params }) => {
    const { data, response } = await client.messages.create({ model: 'claude', max_tokens: 20, ...params }).withResponse();
    assertAnthropicSchema('Message', data);
    expect(response.headers.get('x-switchyard-tier')).toBe('local');
    const streamed = await client.messages.stream({ model: 'claude', max_tokens: 20, ...params }).finalMessage();
    assertAnthropicSchema('Message', streamed);
    expect(cloudCalls().filter((seen) => seen.includes(EMAIL))).toEqual([]);
  });
});

describe('/v1/messages streams under a redact privacy policy', () => {
  const EMAIL = 'jane.doe@example.org';
  let stack: Stack;
  let client: Anthropic;

  beforeAll(async () => {
    stack = await startStack({
      backends: [{ name: 'cloud-claude', protocol: 'anthropic', tier: 'cloud', models: ['claude-x'] }],
      models: [{ name: 'claude', targets: [{ backend: 'cloud-claude', model: 'claude-x' }] }],
      policy: { privacy: { onPii: 'redact' } },
    });
    client = new Anthropic({ baseURL: stack.url, apiKey: ADMIN_KEY, maxRetries: 0 });
  });
  afterAll(() => stack.close());

  const streamed = async (content: string): Promise<EventSourceMessage[]> => {
    const res = await post(stack, '/v1/messages', { model: 'claude', max_tokens: 50, stream: true, messages: [{ role: 'user', content }] });
    expect([res.status, res.headers.get('x-switchyard-tier')]).toEqual([200, 'cloud']);
    const events = await sseEvents(res);
    for (const e of events) assertAnthropicSchema('StreamEvent', JSON.parse(e.data));
    return events;
  };

  it('re-encodes a redacted stream with the values restored; a clean one still comes as the backend sent it', async () => {
    const fake = stack.fakes['cloud-claude'];
    const before = inferenceCalls(fake).length;
    const redacted = await streamed(`write to ${EMAIL}`);
    const [sent] = inferenceCalls(fake).slice(before);
    expect(sent.text).toContain('[EMAIL_1]');
    expect(sent.text).not.toContain(EMAIL);
    // The fake echoed the placeholder; the door restored it and encoded the events itself (its ping right after message_start).
    expect(streamedText(redacted)).toBe(`Echo: write to ${EMAIL}`);
    expect(redacted.slice(0, 3).map((e) => e.event)).toEqual(['message_start', 'ping', 'content_block_start']);
    const message = await client.messages
      .stream({ model: 'claude', max_tokens: 50, messages: [{ role: 'user', content: `write to ${EMAIL}` }] })
      .finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: `Echo: write to ${EMAIL}` }]);

    // Nothing to redact, nothing to restore: the backend's events as it sent them (its ping after content_block_start).
    const clean = await streamed('write to nobody');
    expect(streamedText(clean)).toBe('Echo: write to nobody');
    expect(clean.slice(0, 3).map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'ping']);
  });
});
