import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import {
  UpstreamError,
  type AnthropicMessage,
  type AnthropicMessagesRequest,
  type BackendConfig,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
} from '@switchyard/contracts';
import { AnthropicAdapter, anthropicAdapterFactory } from './anthropic.adapter';
import { AnthropicStreamDecoder } from './anthropic-stream.mapper';
import { keepRawJson } from '../http/upstream-client';
import { anthropicErrorDetail, fromAnthropicMessage, fromAnthropicRequest, toAnthropicRequest } from './anthropic.mapper';

const FIXTURES = join(__dirname, 'fixtures');
const fixture = <T = unknown>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
type SseEvent = { event: string; data: unknown };
const events = (name: string): SseEvent[] => fixture<SseEvent[]>(name);
const sseText = (evs: SseEvent[]): string => evs.map((e) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`).join('');

const CREATED = 1_700_000_000;
const chat = (over: Partial<ChatCompletionRequest>): ChatCompletionRequest => ({ model: 'public-name', messages: [{ role: 'user', content: 'Hi' }], ...over });
const toBody = (over: Partial<ChatCompletionRequest>, stream = false): AnthropicMessagesRequest => toAnthropicRequest(chat(over), 'claude-x', stream, 'claude');

/** Runs a fixture through the decoder, as the adapter does. */
function translate(evs: SseEvent[]): ChatCompletionChunk[] {
  const t = new AnthropicStreamDecoder('claude', 'claude-x', CREATED);
  const out: ChatCompletionChunk[] = [];
  for (const e of evs) {
    out.push(...t.push(JSON.stringify(e.data), e.event));
    if (t.done) break;
  }
  t.end();
  return out;
}

/** What a client would rebuild from the chunks. */
function assemble(chunks: ChatCompletionChunk[]) {
  let content = '';
  let finish: string | null = null;
  const tools: { id?: string; name?: string; arguments: string }[] = [];
  for (const c of chunks) {
    for (const ch of c.choices) {
      content += ch.delta.content ?? '';
      if (ch.finish_reason) finish = ch.finish_reason;
      for (const tc of ch.delta.tool_calls ?? []) {
        const slot = (tools[tc.index] ??= { arguments: '' });
        if (tc.id) slot.id = tc.id;
        if (tc.function?.name) slot.name = tc.function.name;
        slot.arguments += tc.function?.arguments ?? '';
      }
    }
  }
  return { content, finish, tools, usage: chunks[chunks.length - 1].usage };
}

// ---- request --------------------------------------------------------------------------------

describe('toAnthropicRequest', () => {
  const cases: { name: string; req: Partial<ChatCompletionRequest>; stream?: boolean; expected: Partial<AnthropicMessagesRequest> }[] = [
    {
      name: 'minimal: default max_tokens, string content kept',
      req: {},
      expected: { model: 'claude-x', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }], stream: false },
    },
    {
      name: 'system and developer messages are hoisted and joined',
      req: {
        messages: [
          { role: 'system', content: 'You are terse.' },
          {
            role: 'developer',
            content: [
              { type: 'text', text: 'Answer in French.' },
              { type: 'image_url', image_url: { url: 'https://x/y.png' } },
            ],
          },
          { role: 'user', content: 'Hi' },
        ],
      },
      expected: { system: 'You are terse.\n\nAnswer in French.', messages: [{ role: 'user', content: 'Hi' }] },
    },
    {
      name: 'max_completion_tokens wins over max_tokens',
      req: { max_completion_tokens: 100, max_tokens: 50 },
      expected: { max_tokens: 100 },
    },
    { name: 'max_tokens used when alone', req: { max_tokens: 50 }, expected: { max_tokens: 50 } },
    {
      name: 'sampling fields: temperature clamped, top_p, stop string, user, stream',
      req: { temperature: 1.7, top_p: 0.9, stop: 'END', user: 'u-42', seed: 7, presence_penalty: 1, frequency_penalty: 1, logprobs: true, n: 1 },
      stream: true,
      expected: { temperature: 1, top_p: 0.9, stop_sequences: ['END'], metadata: { user_id: 'u-42' }, stream: true },
    },
    {
      name: 'negative temperature clamped to 0, stop array kept',
      req: { temperature: -0.5, stop: ['a', 'b'] },
      expected: { temperature: 0, stop_sequences: ['a', 'b'] },
    },
    {
      name: 'image parts: data URL → base64, http URL → url',
      req: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRg==' } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
            ],
          },
        ],
      },
      expected: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQSkZJRg==' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
            ],
          },
        ],
      },
    },
    {
      name: 'tool round trip: tool_calls → tool_use after text, tool results merged into one user turn',
      req: {
        messages: [
          { role: 'user', content: 'Weather in SF and Paris?' },
          {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [
              { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"SF"}' } },
              { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: 'not json' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
          { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '21°C' }] },
          { role: 'user', content: 'Thanks, which is warmer?' },
        ],
      },
      expected: {
        messages: [
          { role: 'user', content: 'Weather in SF and Paris?' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'SF' } },
              { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: {} },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
              { type: 'tool_result', tool_use_id: 'toolu_2', content: '21°C' },
              { type: 'text', text: 'Thanks, which is warmer?' },
            ],
          },
        ],
      },
    },
    {
      name: 'assistant with only tool_calls (content null) has no text block',
      req: {
        messages: [
          { role: 'user', content: 'Go' },
          { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 't1', content: 'done' },
        ],
      },
      expected: {
        messages: [
          { role: 'user', content: 'Go' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'done' }] },
        ],
      },
    },
    {
      name: 'consecutive same-role messages merge',
      req: {
        messages: [
          { role: 'user', content: 'One' },
          { role: 'user', content: [{ type: 'text', text: 'Two' }] },
          { role: 'assistant', content: 'A' },
          { role: 'assistant', content: 'B' },
        ],
      },
      expected: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'One' },
              { type: 'text', text: 'Two' },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'A' },
              { type: 'text', text: 'B' },
            ],
          },
        ],
      },
    },
    {
      name: 'tools with default schema; tool_choice auto',
      req: {
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'Weather',
              parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
            },
          },
          { type: 'function', function: { name: 'now' } },
        ],
        tool_choice: 'auto',
      },
      expected: {
        tools: [
          {
            name: 'get_weather',
            description: 'Weather',
            input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
          },
          { name: 'now', input_schema: { type: 'object', properties: {} } },
        ],
        tool_choice: { type: 'auto' },
      },
    },
    {
      name: "tool_choice 'required' → any",
      req: { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'required' },
      expected: { tool_choice: { type: 'any' } },
    },
    {
      name: "tool_choice 'none' → none",
      req: { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'none', parallel_tool_calls: false },
      expected: { tool_choice: { type: 'none' } },
    },
    {
      name: 'named tool_choice with parallel_tool_calls false',
      req: { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'function', function: { name: 'f' } }, parallel_tool_calls: false },
      expected: { tool_choice: { type: 'tool', name: 'f', disable_parallel_tool_use: true } },
    },
    {
      name: 'parallel_tool_calls false without tool_choice → auto, one tool',
      req: { tools: [{ type: 'function', function: { name: 'f' } }], parallel_tool_calls: false },
      expected: { tool_choice: { type: 'auto', disable_parallel_tool_use: true } },
    },
    {
      name: 'response_format json_object appends to the system prompt',
      req: {
        messages: [
          { role: 'system', content: 'Be helpful.' },
          { role: 'user', content: 'List 3 colors' },
        ],
        response_format: { type: 'json_object' },
      },
      expected: { system: 'Be helpful.\n\nRespond with a single valid JSON object only: no prose before or after it, no Markdown code fences.' },
    },
  ];

  it.each(cases)('$name', ({ req, stream, expected }) => {
    expect(toBody(req, stream)).toMatchObject(expected);
  });

  it('drops fields with no Anthropic equivalent and sends no tool fields without tools', () => {
    const body = toBody({
      seed: 1,
      logprobs: true,
      top_logprobs: 2,
      presence_penalty: 1,
      frequency_penalty: 1,
      tool_choice: 'auto',
      n: 1,
    }) as unknown as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['max_tokens', 'messages', 'model', 'stream']);
  });

  it('json_schema puts the schema in the system prompt', () => {
    const schema = { type: 'object', properties: { colors: { type: 'array', items: { type: 'string' } } }, required: ['colors'] };
    const body = toBody({ response_format: { type: 'json_schema', json_schema: { name: 'colors', schema } } });
    expect(body.system).toContain('JSON Schema');
    expect(body.system).toContain(JSON.stringify(schema));
  });

  it('n > 1 is a 400 client error on param n', () => {
    let err: unknown;
    try {
      toBody({ n: 2 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({
      failure: 'client_error',
      status: 400,
      upstreamStatus: 400,
      param: 'n',
      backend: 'claude',
      message: 'n > 1 is not supported by Anthropic backends',
    });
    expect((err as UpstreamError).retryable).toBe(false);
  });
});

// ---- response -------------------------------------------------------------------------------

describe('fromAnthropicMessage', () => {
  const cases: { file: string; expected: Partial<ChatCompletion> }[] = [
    {
      file: 'response-text.json',
      expected: {
        id: 'chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL',
        object: 'chat.completion',
        created: CREATED,
        model: 'claude-sonnet-4-5-20250929',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'Hello! How can I help you today?', refusal: null }, finish_reason: 'stop', logprobs: null },
        ],
        usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 },
      },
    },
    {
      file: 'response-cached.json',
      expected: {
        choices: [
          { index: 0, message: { role: 'assistant', content: 'The capital of France is Paris.', refusal: null }, finish_reason: 'stop', logprobs: null },
        ],
        usage: { prompt_tokens: 4520, completion_tokens: 7, total_tokens: 4527 },
      },
    },
    {
      file: 'response-tool-use.json',
      expected: {
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: "I'll check the weather in San Francisco for you.",
              refusal: null,
              tool_calls: [
                {
                  id: 'toolu_01A09q90qw90lq917835lq9',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
                },
              ],
            },
            finish_reason: 'tool_calls',
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 384, completion_tokens: 71, total_tokens: 455 },
      },
    },
    {
      file: 'response-tool-only.json',
      expected: {
        model: 'claude-opus-4-1-20250805',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: [
                { id: 'toolu_01Weather1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
                { id: 'toolu_01Time2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
              ],
            },
            finish_reason: 'tool_calls',
            logprobs: null,
          },
        ],
      },
    },
    {
      file: 'response-max-tokens.json',
      expected: {
        choices: [
          { index: 0, message: { role: 'assistant', content: 'Once upon a time, in a land far', refusal: null }, finish_reason: 'length', logprobs: null },
        ],
      },
    },
    {
      file: 'response-refusal.json',
      expected: {
        choices: [{ index: 0, message: { role: 'assistant', content: '', refusal: null }, finish_reason: 'content_filter', logprobs: null }],
        usage: { prompt_tokens: 30, completion_tokens: 0, total_tokens: 30 },
      },
    },
    {
      file: 'response-thinking.json',
      expected: { choices: [{ index: 0, message: { role: 'assistant', content: '2 + 2 = 4', refusal: null }, finish_reason: 'stop', logprobs: null }] },
    },
  ];

  it.each(cases)('$file', ({ file, expected }) => {
    const out = fromAnthropicMessage(fixture<AnthropicMessage>(file), CREATED);
    expect(out).toMatchObject(expected);
    expect(out.choices).toHaveLength(1);
    if (!expected.choices?.[0].message.tool_calls) expect(out.choices[0].message.tool_calls).toBeUndefined();
  });
});

describe('anthropicErrorDetail', () => {
  it.each([
    { file: 'error-overloaded.json', expected: { message: 'Overloaded', code: 'overloaded_error' } },
    { file: 'error-authentication.json', expected: { message: 'invalid x-api-key', code: 'authentication_error' } },
    {
      file: 'error-invalid-request.json',
      expected: { message: expect.stringContaining('roles must alternate'), code: 'invalid_request_error' },
    },
  ])('$file', ({ file, expected }) => {
    expect(anthropicErrorDetail(fixture(file))).toEqual(expected);
  });

  it.each([
    { body: { error: 'plain string' }, expected: { message: 'plain string' } },
    { body: { message: 'top-level message' }, expected: { message: 'top-level message' } },
    { body: null, expected: {} },
    { body: 42, expected: {} },
  ])('tolerates $body', ({ body, expected }) => {
    expect(anthropicErrorDetail(body)).toEqual(expected);
  });
});

// ---- stream ---------------------------------------------------------------------------------

describe('AnthropicStreamDecoder', () => {
  it('text stream, chunk by chunk', () => {
    const base = { id: 'chatcmpl-msg_01StreamText', object: 'chat.completion.chunk', created: CREATED, model: 'claude-sonnet-4-5-20250929' };
    const choice = (delta: object, finish_reason: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason, logprobs: null }] });
    expect(translate(events('stream-text.json'))).toEqual([
      choice({ role: 'assistant', content: '' }),
      choice({ content: 'Hello' }),
      choice({ content: '! How can I' }),
      choice({ content: ' help?' }),
      choice({}, 'stop'),
      { ...base, choices: [], usage: { prompt_tokens: 25, completion_tokens: 9, total_tokens: 34 } },
    ]);
  });

  it('tool use: one tool_calls start per tool block, arguments streamed as input_json_delta', () => {
    const chunks = translate(events('stream-tool-use.json'));
    const starts = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? [])).filter((tc) => tc.id);
    expect(starts).toEqual([
      { index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 1, id: 'toolu_01Uq4Dx3hVXhS6x9vfmnKqWb', type: 'function', function: { name: 'get_weather', arguments: '' } },
    ]);
    // argument fragments carry only index and arguments
    const fragments = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? [])).filter((tc) => !tc.id);
    expect(fragments[0]).toEqual({ index: 0, function: { arguments: '{"location":' } });
    expect(fragments.every((f) => f.function?.arguments)).toBe(true);
  });

  const streams: { file: string; content: string; finish: string; tools: { id: string; name: string; args: unknown }[]; usage: object }[] = [
    {
      file: 'stream-text.json',
      content: 'Hello! How can I help?',
      finish: 'stop',
      tools: [],
      usage: { prompt_tokens: 25, completion_tokens: 9, total_tokens: 34 },
    },
    {
      file: 'stream-tool-use.json',
      content: 'Okay, let me check the weather for both cities.',
      finish: 'tool_calls',
      tools: [
        { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', args: { location: 'San Francisco, CA' } },
        { id: 'toolu_01Uq4Dx3hVXhS6x9vfmnKqWb', name: 'get_weather', args: { location: 'Paris', unit: 'celsius' } },
      ],
      usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 },
    },
    {
      file: 'stream-max-tokens.json',
      content: 'Once upon a time, in a land far',
      finish: 'length',
      tools: [],
      usage: { prompt_tokens: 314, completion_tokens: 10, total_tokens: 324 },
    },
    { file: 'stream-thinking.json', content: '4', finish: 'stop', tools: [], usage: { prompt_tokens: 40, completion_tokens: 35, total_tokens: 75 } },
  ];

  it.each(streams)('$file assembles and keeps the chunk invariants', ({ file, content, finish, tools, usage }) => {
    const chunks = translate(events(file));
    const out = assemble(chunks);
    expect(out.content).toBe(content);
    expect(out.finish).toBe(finish);
    expect(out.tools.map((t) => ({ id: t.id, name: t.name, args: JSON.parse(t.arguments) as unknown }))).toEqual(tools);
    expect(out.usage).toEqual(usage);

    const first = chunks[0];
    expect(first.choices[0].delta).toEqual({ role: 'assistant', content: '' });
    for (const c of chunks) {
      expect(c).toMatchObject({ id: first.id, created: first.created, model: first.model, object: 'chat.completion.chunk' });
      expect(first.id).toMatch(/^chatcmpl-msg_/);
    }
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(chunks.slice(0, -1).every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
    expect(chunks.filter((c) => c.choices[0]?.finish_reason)).toHaveLength(1);
  });

  it('an error event mid-stream throws a retryable server_error after the text so far', () => {
    const t = new AnthropicStreamDecoder('claude', 'claude-x', CREATED);
    const seen: ChatCompletionChunk[] = [];
    let err: unknown;
    try {
      for (const e of events('stream-error.json')) seen.push(...t.push(JSON.stringify(e.data), e.event));
    } catch (e) {
      err = e;
    }
    expect(assemble([...seen, { ...seen[0], choices: [] }]).content).toBe('Let me think');
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ failure: 'server_error', status: 502, backend: 'claude' });
    // The backend's words go to the log (detail), never to the client.
    expect((err as UpstreamError).detail).toContain('Overloaded');
    expect((err as UpstreamError).detail).toContain('overloaded_error');
    expect((err as UpstreamError).retryable).toBe(true);
  });

  it('a stream cut before message_stop fails on end()', () => {
    const t = new AnthropicStreamDecoder('claude', 'claude-x', CREATED);
    for (const e of events('stream-text.json').slice(0, 4)) t.push(JSON.stringify(e.data), e.event);
    expect(() => t.end()).toThrow(UpstreamError);
  });

  it('a non-JSON event is a protocol error', () => {
    const t = new AnthropicStreamDecoder('claude', 'claude-x', CREATED);
    expect(() => t.push('{not json', 'message_start')).toThrow(expect.objectContaining({ failure: 'protocol' }));
  });

  it.each(['stream-text.json', 'stream-tool-use.json', 'stream-thinking.json'])(
    'relaying (%s): one chunk per event, carrying it as it came; the same canonical chunks besides',
    (file) => {
      const evs = events(file);
      const relaying = new AnthropicStreamDecoder('claude', 'claude-x', CREATED, true);
      const chunks = evs.map((e) => {
        const out = relaying.push(JSON.stringify(e.data), e.event);
        expect(out).toHaveLength(1);
        return out[0];
      });
      relaying.end();
      expect(chunks.map((c) => AnthropicStreamDecoder.eventOf(c))).toEqual(evs.map((e) => ({ event: e.event, data: JSON.stringify(e.data) })));
      // Events with no canonical form (ping, thinking, block stops) ride empty chunks.
      const plain = translate(evs);
      expect(chunks.filter((c) => c.choices.length > 0 || c.usage)).toEqual(plain);
      expect(plain.every((c) => AnthropicStreamDecoder.eventOf(c) === undefined)).toBe(true);
    },
  );

  it('relaying, an event of a kind added later, or sent without a name, is carried as it came', () => {
    const decoder = new AnthropicStreamDecoder('claude', 'claude-x', CREATED, true);
    const future = '{"type":"some_future_event","index":0,"detail":{"x":1}}';
    const [later] = decoder.push(future, 'some_future_event');
    const [unnamed] = decoder.push('{"type":"ping"}');
    expect([later, unnamed]).toMatchObject([
      { choices: [], model: 'claude-x' },
      { choices: [], model: 'claude-x' },
    ]);
    expect(AnthropicStreamDecoder.eventOf(later)).toEqual({ event: 'some_future_event', data: future });
    expect(AnthropicStreamDecoder.eventOf(unnamed)).toEqual({ data: '{"type":"ping"}' });
  });

  it('takes the event type from the SSE event name when the payload lacks it, and ignores unknown events', () => {
    const t = new AnthropicStreamDecoder('claude', 'claude-x', CREATED);
    expect(t.push('{}', 'ping')).toEqual([]);
    expect(t.push('{"type":"some_future_event"}')).toEqual([]);
    expect(t.push(JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x' } }))).toMatchObject([
      { model: 'claude-x', choices: [{ delta: { content: 'x' } }] },
    ]);
  });
});

// ---- adapter over HTTP (a local stand-in for the Anthropic API) -----------------------------

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('AnthropicAdapter over HTTP', () => {
  let server: Server;
  let baseUrl: string;
  let seen: Seen[];
  let handle: (req: Seen, res: ServerResponse) => void;
  const adapters: AnthropicAdapter[] = [];

  const backend = (over: Partial<BackendConfig> = {}): BackendConfig => ({
    name: 'claude',
    protocol: 'anthropic',
    baseUrl,
    apiKey: 'sk-ant-test',
    tier: 'cloud',
    models: [{ id: 'claude-sonnet-4-5' }],
    timeouts: { connectMs: 2_000, firstByteMs: 5_000, idleMs: 5_000, totalMs: 10_000 },
    limits: { responseBytes: 1 << 20, streamEventBytes: 1 << 16 },
    maxConcurrency: 4,
    headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' },
    ...over,
  });
  const adapter = (over?: Partial<BackendConfig>): AnthropicAdapter => {
    const a = anthropicAdapterFactory.create(backend(over)) as AnthropicAdapter;
    adapters.push(a);
    return a;
  };
  const ctx = () => ({ signal: new AbortController().signal, requestId: 'req-123' });
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const sse = (res: ServerResponse, evs: SseEvent[]) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // split mid-event to exercise the SSE framing
    const text = sseText(evs);
    const cut = Math.floor(text.length / 3);
    res.write(text.slice(0, cut));
    setTimeout(() => res.end(text.slice(cut)), 5);
  };
  const collect = async (it: AsyncIterable<ChatCompletionChunk>) => {
    const out: ChatCompletionChunk[] = [];
    for await (const c of it) out.push(c);
    return out;
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString('utf8')));
      req.on('end', () => {
        const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        seen.push(s);
        handle(s, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    seen = [];
    handle = (_req, res) => json(res, 200, fixture('response-text.json'));
  });
  afterAll(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    await new Promise((resolve) => server.close(resolve));
  });

  it('factory speaks anthropic', () => {
    expect(anthropicAdapterFactory.protocol).toBe('anthropic');
  });

  it('chat: POST /v1/messages with the Anthropic headers, body and a mapped answer', async () => {
    const out = await adapter().chat(chat({ max_tokens: 20 }), 'claude-sonnet-4-5', ctx());
    expect(out.choices[0].message.content).toBe('Hello! How can I help you today?');
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/messages');
    expect(req.headers).toMatchObject({
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'prompt-caching-2024-07-31',
      'content-type': 'application/json',
      'x-request-id': 'req-123',
    });
    expect(req.headers.authorization).toBeUndefined();
    expect(JSON.parse(req.body)).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'Hi' }], stream: false });
  });

  it("a client's anthropic-beta joins the configured betas, on calls and streams, and goes through the egress check", async () => {
    const checked: Record<string, string>[] = [];
    const call = {
      ...ctx(),
      anthropicBeta: 'token-efficient-tools-2025-02-19',
      egress: (_body: string, headers: Readonly<Record<string, string>>) => void checked.push({ ...headers }),
    };
    await adapter().chat(chat({}), 'm', call);
    handle = (_req, res) => sse(res, events('stream-text.json'));
    await collect(await adapter({ headers: {} }).chatStream(chat({ stream: true }), 'm', call));
    expect(seen.map((r) => r.headers['anthropic-beta'])).toEqual([
      'prompt-caching-2024-07-31,token-efficient-tools-2025-02-19',
      'token-efficient-tools-2025-02-19',
    ]);
    expect(checked).toEqual([
      { 'anthropic-beta': 'prompt-caching-2024-07-31,token-efficient-tools-2025-02-19', 'x-request-id': 'req-123' },
      { 'anthropic-beta': 'token-efficient-tools-2025-02-19', 'x-request-id': 'req-123' },
    ]);
  });

  it("an Anthropic client's request goes as it came: its bytes when nothing changes, else with the model id and stream flag set", async () => {
    const text = JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 2048,
      top_k: 40,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] }],
    });
    const client = JSON.parse(text) as AnthropicMessagesRequest;
    keepRawJson(client, text);
    const canonical = fromAnthropicRequest(client);
    await adapter().chat(canonical, 'claude-sonnet-4-5', ctx());
    expect(seen[0].body).toBe(text);

    await adapter().chat(canonical, 'claude-opus-4-1', ctx());
    expect(JSON.parse(seen[1].body)).toEqual({ ...client, model: 'claude-opus-4-1', stream: false });
    handle = (_req, res) => sse(res, events('stream-text.json'));
    await collect(await adapter().chatStream(canonical, 'claude-sonnet-4-5', ctx()));
    expect(JSON.parse(seen[2].body)).toEqual({ ...client, stream: true });

    // A copy (as the privacy screen sends to the cloud) is translated: what the canonical form drops stays behind.
    handle = (_req, res) => json(res, 200, fixture('response-text.json'));
    await adapter().chat({ ...canonical }, 'claude-sonnet-4-5', ctx());
    const translated = JSON.parse(seen[3].body) as Record<string, unknown>;
    expect(translated).not.toHaveProperty('thinking');
    expect(translated).not.toHaveProperty('top_k');
    expect(translated).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 2048, stream: false });
  });

  it("relays the stream of an Anthropic client's request and of a plain copy of it, not of a redacted copy nor an OpenAI client's", async () => {
    handle = (_req, res) => sse(res, events('stream-thinking.json'));
    const canonical = fromAnthropicRequest({ model: 'claude-sonnet-4-5', max_tokens: 2048, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const relayed = async (req: ChatCompletionRequest): Promise<boolean[]> =>
      (await collect(await adapter().chatStream(req, 'claude-sonnet-4-5', ctx()))).map((c) => AnthropicStreamDecoder.eventOf(c) !== undefined);
    const all = events('stream-thinking.json').map(() => true);
    expect(await relayed(canonical)).toEqual(all);
    // The privacy screen's copy for a cloud backend shares the messages; redaction rewrites a deep copy.
    expect(await relayed({ ...canonical })).toEqual(all);
    expect(await relayed(JSON.parse(JSON.stringify(canonical)) as ChatCompletionRequest)).not.toContain(true);
    expect(await relayed(chat({ stream: true }))).not.toContain(true);
  });

  it('a base URL already ending in /v1 is not doubled; no key, no x-api-key', async () => {
    await adapter({ baseUrl: `${baseUrl}/v1`, apiKey: undefined }).chat(chat({}), 'm', ctx());
    expect(seen[0].url).toBe('/v1/messages');
    expect(seen[0].headers['x-api-key']).toBeUndefined();
  });

  it('chatStream: SSE events become chunks ending with a usage-only chunk', async () => {
    handle = (_req, res) => sse(res, events('stream-tool-use.json'));
    const chunks = await collect(await adapter().chatStream(chat({ stream: true }), 'claude-sonnet-4-5', ctx()));
    expect(JSON.parse(seen[0].body)).toMatchObject({ stream: true });
    const out = assemble(chunks);
    expect(out.finish).toBe('tool_calls');
    expect(out.tools.map((t) => JSON.parse(t.arguments) as unknown)).toEqual([{ location: 'San Francisco, CA' }, { location: 'Paris', unit: 'celsius' }]);
    expect(out.usage).toEqual({ prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 });
  });

  it('chatStream: an error event mid-stream rejects the iteration', async () => {
    handle = (_req, res) => sse(res, events('stream-error.json'));
    const stream = await adapter().chatStream(chat({}), 'm', ctx());
    await expect(collect(stream)).rejects.toMatchObject({ failure: 'server_error', retryable: true });
  });

  it('chatStream: a stream that ends early rejects', async () => {
    handle = (_req, res) => sse(res, events('stream-text.json').slice(0, 5));
    const stream = await adapter().chatStream(chat({}), 'm', ctx());
    await expect(collect(stream)).rejects.toBeInstanceOf(UpstreamError);
  });

  it.each([
    { status: 529, file: 'error-overloaded.json', expected: { failure: 'server_error', status: 502, upstreamStatus: 529, retryable: true } },
    { status: 400, file: 'error-invalid-request.json', expected: { failure: 'client_error', status: 400, code: 'invalid_request_error', retryable: false } },
    {
      status: 401,
      file: 'error-authentication.json',
      expected: { failure: 'client_error', status: 401, type: 'authentication_error', message: 'invalid x-api-key' },
    },
    { status: 429, file: 'error-overloaded.json', expected: { failure: 'rate_limited', status: 429, retryAfter: '7', retryable: true } },
  ])('HTTP $status → UpstreamError', async ({ status, file, expected }) => {
    handle = (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end(JSON.stringify(fixture(file)));
    };
    const err = await adapter()
      .chat(chat({}), 'm', ctx())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject(expected);
  });

  it('a 200 that is not an Anthropic message is a protocol error', async () => {
    handle = (_req, res) => json(res, 200, { hello: 'world' });
    await expect(adapter().chat(chat({}), 'm', ctx())).rejects.toMatchObject({ failure: 'protocol' });
  });

  it('n > 1 fails before any call', async () => {
    await expect(adapter().chat(chat({ n: 3 }), 'm', ctx())).rejects.toMatchObject({ failure: 'client_error', status: 400, param: 'n' });
    await expect(adapter().chatStream(chat({ n: 3 }), 'm', ctx())).rejects.toMatchObject({ param: 'n' });
    expect(seen).toHaveLength(0);
  });

  it('embeddings are refused without a call', async () => {
    await expect(adapter().embeddings({ model: 'x', input: 'hi' }, 'm', ctx())).rejects.toMatchObject({
      failure: 'client_error',
      status: 400,
      param: 'model',
      message: 'Backend claude (anthropic) does not serve embeddings.',
    });
    expect(seen).toHaveLength(0);
  });

  it.each([200, 401, 404])('probe: GET /v1/models answered %s is reachable', async (status) => {
    handle = (_req, res) => json(res, status, status === 200 ? { data: [], has_more: false } : fixture('error-authentication.json'));
    await expect(adapter().probe(new AbortController().signal)).resolves.toBeUndefined();
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1/models' });
    expect(seen[0].headers['anthropic-version']).toBe('2023-06-01');
  });

  it('probe: a 5xx throws', async () => {
    handle = (_req, res) => json(res, 503, fixture('error-overloaded.json'));
    await expect(adapter().probe(new AbortController().signal)).rejects.toMatchObject({ failure: 'server_error', upstreamStatus: 503 });
  });
});

// ---- adapter against fake-llm (the project's simulated Anthropic backend) -------------------

describe('AnthropicAdapter against fake-llm', () => {
  let fake: FakeLlm;
  let adapter: AnthropicAdapter;
  const ctx = () => ({ signal: new AbortController().signal, requestId: 'req-fake' });
  const weather = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { input: { type: 'string' } } } } };
  const collect = async (it: AsyncIterable<ChatCompletionChunk>) => {
    const out: ChatCompletionChunk[] = [];
    for await (const c of it) out.push(c);
    return out;
  };

  beforeAll(async () => {
    fake = await startFakeLlm({ protocol: 'anthropic', models: ['claude-fake'], requireApiKey: 'sk-ant-fake' });
    adapter = new AnthropicAdapter({
      name: 'fake-claude',
      protocol: 'anthropic',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-ant-fake',
      tier: 'cloud',
      models: [{ id: 'claude-fake' }],
      timeouts: { connectMs: 2_000, firstByteMs: 5_000, idleMs: 5_000, totalMs: 10_000 },
      limits: { responseBytes: 1 << 20, streamEventBytes: 1 << 16 },
      maxConcurrency: 4,
    });
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await adapter.close();
    await fake.close();
  });

  it('non-streaming', async () => {
    const out = await adapter.chat(
      chat({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hello there' },
        ],
      }),
      'claude-fake',
      ctx(),
    );
    expect(out).toMatchObject({
      object: 'chat.completion',
      model: 'claude-fake',
      choices: [{ message: { role: 'assistant', content: 'Echo: hello there' }, finish_reason: 'stop' }],
    });
    expect(out.id).toMatch(/^chatcmpl-msg_/);
    expect(out.usage?.total_tokens).toBe((out.usage?.prompt_tokens ?? 0) + (out.usage?.completion_tokens ?? 0));
    const req = fake.requests.find((r) => r.path === '/v1/messages');
    expect(req?.headers).toMatchObject({ 'x-api-key': 'sk-ant-fake', 'anthropic-version': '2023-06-01', 'x-request-id': 'req-fake' });
    expect(req?.body).toMatchObject({ model: 'claude-fake', system: 'Be brief.', max_tokens: 4096, messages: [{ role: 'user', content: 'hello there' }] });
  });

  it('max_tokens cut maps to length', async () => {
    const out = await adapter.chat(chat({ messages: [{ role: 'user', content: 'one two three four five six' }], max_tokens: 2 }), 'claude-fake', ctx());
    expect(out.choices[0].finish_reason).toBe('length');
    expect(out.usage?.completion_tokens).toBe(2);
  });

  it('streaming text matches the non-streaming answer', async () => {
    const chunks = await collect(
      await adapter.chatStream(chat({ messages: [{ role: 'user', content: 'stream me please' }], stream: true }), 'claude-fake', ctx()),
    );
    const out = assemble(chunks);
    expect(out.content).toBe('Echo: stream me please');
    expect(out.finish).toBe('stop');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(1);
    expect(out.usage?.completion_tokens).toBeGreaterThan(0);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('tool use streaming, then the tool result round trip', async () => {
    const first = chat({ messages: [{ role: 'user', content: 'weather in Paris' }], tools: [weather], stream: true });
    const out = assemble(await collect(await adapter.chatStream(first, 'claude-fake', ctx())));
    expect(out.finish).toBe('tool_calls');
    expect(out.tools).toHaveLength(1);
    expect(out.tools[0]).toMatchObject({ name: 'get_weather', id: expect.stringMatching(/^toolu_/) });
    expect(JSON.parse(out.tools[0].arguments)).toEqual({ input: 'weather in Paris' });
    const body = fake.requests.find((r) => r.path === '/v1/messages')?.body;
    expect(body).toMatchObject({ stream: true, tools: [{ name: 'get_weather' }] });

    const second = chat({
      messages: [
        { role: 'user', content: 'weather in Paris' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: out.tools[0].id ?? '', type: 'function', function: { name: 'get_weather', arguments: out.tools[0].arguments } }],
        },
        { role: 'tool', tool_call_id: out.tools[0].id, content: 'sunny, 21C' },
      ],
      tools: [weather],
    });
    const answer = await adapter.chat(second, 'claude-fake', ctx());
    expect(answer.choices[0].message.content).toBe('Tool said: sunny, 21C');
  });

  it('a 529 overloaded answer is a retryable server error', async () => {
    fake.setFault({ mode: 'error', status: 529 });
    const err = await adapter.chat(chat({}), 'claude-fake', ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ failure: 'server_error', upstreamStatus: 529, status: 502, retryable: true });
    fake.setFault({ mode: 'error', status: 529 });
    await expect(adapter.chatStream(chat({ stream: true }), 'claude-fake', ctx())).rejects.toMatchObject({ upstreamStatus: 529 });
  });

  it('a connection dropped mid-stream rejects the iteration', async () => {
    fake.setFault({ mode: 'midstream', afterChunks: 1 });
    const stream = await adapter.chatStream(chat({ messages: [{ role: 'user', content: 'a long enough message to stream' }] }), 'claude-fake', ctx());
    await expect(collect(stream)).rejects.toBeInstanceOf(UpstreamError);
  });

  it('an unknown model is a client error; probe succeeds', async () => {
    await expect(adapter.chat(chat({}), 'no-such-model', ctx())).rejects.toMatchObject({ failure: 'client_error', status: 404 });
    await expect(adapter.probe(new AbortController().signal)).resolves.toBeUndefined();
  });
});
