import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  parseConfig,
  UpstreamError,
  type BackendConfig,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type EmbeddingsRequest,
} from '@switchyard/contracts';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import type { AdapterContext } from '../adapter';
import { readNdjson } from '../http/stream-readers';
import { OllamaAdapter, ollamaAdapterFactory } from './ollama.adapter';
import {
  floatsToBase64,
  fromOllamaChatResponse,
  fromOllamaEmbedResponse,
  ollamaErrorDetail,
  OllamaStreamTranslator,
  toOllamaChatRequest,
  toOllamaEmbedRequest,
} from './ollama.mapper';
import type { OllamaChatResponse, OllamaEmbedResponse, OllamaStreamLine } from './ollama.types';

const FIXTURES = join(__dirname, 'fixtures');
const fixtureText = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const fixture = <T>(name: string): T => JSON.parse(fixtureText(name)) as T;

const BACKEND = 'ollama-test';
const MODEL = 'llama3.2:3b';
const ID = 'chatcmpl-test';

const user = (content: string): ChatCompletionRequest['messages'][number] => ({ role: 'user', content });
const request = (extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: 'client-name',
  messages: [user('hi')],
  ...extra,
});

/** The bytes of a text in uneven pieces (splitting lines and multi-byte characters), as a socket might. */
async function* pieces(text: string, sizes = [1, 7, 3, 64, 13, 2]): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function translate(ndjson: string): Promise<ChatCompletionChunk[]> {
  const t = new OllamaStreamTranslator(BACKEND, ID);
  const out: ChatCompletionChunk[] = [];
  for await (const line of readNdjson<OllamaStreamLine>(pieces(ndjson), 1 << 20, () => new Error('line too long'))) out.push(...t.push(line));
  t.end();
  return out;
}

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

const contentOf = (chunks: ChatCompletionChunk[]): string => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
const finishOf = (chunks: ChatCompletionChunk[]) => chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason;

async function caught(p: Promise<unknown> | (() => unknown)): Promise<UpstreamError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error('expected an UpstreamError');
}

// ---------------------------------------------------------------------------------------------
// Request mapping
// ---------------------------------------------------------------------------------------------

describe('toOllamaChatRequest', () => {
  const image = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

  it.each<[string, ChatCompletionRequest, boolean, Record<string, unknown>]>([
    ['a bare request, stream stated', request(), false, { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: false }],
    ['stream: true', request({ stream: true }), true, { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }],
    [
      'sampling options, nulls omitted',
      request({ temperature: 0.2, top_p: 0.9, seed: 7, stop: 'END', max_tokens: 100, presence_penalty: 0.5, frequency_penalty: null }),
      false,
      {
        model: MODEL,
        messages: [{ role: 'user', content: 'hi' }],
        stream: false,
        options: { temperature: 0.2, top_p: 0.9, seed: 7, stop: ['END'], num_predict: 100, presence_penalty: 0.5 },
      },
    ],
    [
      'zeroes kept, max_completion_tokens over max_tokens, stop arrays as they are',
      request({ temperature: 0, max_tokens: 100, max_completion_tokens: 20, stop: ['a', 'b'], frequency_penalty: 0 }),
      false,
      {
        model: MODEL,
        messages: [{ role: 'user', content: 'hi' }],
        stream: false,
        options: { temperature: 0, num_predict: 20, stop: ['a', 'b'], frequency_penalty: 0 },
      },
    ],
    [
      'json_object is JSON mode',
      request({ response_format: { type: 'json_object' } }),
      false,
      { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: false, format: 'json' },
    ],
    [
      'json_schema passes the schema',
      request({ response_format: { type: 'json_schema', json_schema: { name: 'age', schema: { type: 'object', properties: { age: { type: 'integer' } } } } } }),
      false,
      { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: false, format: { type: 'object', properties: { age: { type: 'integer' } } } },
    ],
    [
      'system and developer are system; text parts joined; data: URL images as base64',
      request({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'developer', content: [{ type: 'text', text: 'No emoji.' }] },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${image}` } },
              { type: 'text', text: 'One word.' },
              { type: 'image_url', image_url: { url: 'data:image/svg+xml,%3Csvg%2F%3E', detail: 'low' } },
            ],
          },
        ],
      }),
      false,
      {
        model: MODEL,
        stream: false,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'system', content: 'No emoji.' },
          { role: 'user', content: 'What is this?\nOne word.', images: [image, Buffer.from('<svg/>').toString('base64')] },
        ],
      },
    ],
    [
      'a tool round trip: arguments as objects, results named, client-only fields dropped',
      request({
        messages: [
          user('Weather in Paris and Lyon?'),
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_a', content: '18C' },
          { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: '14:02' }] },
          { role: 'tool', tool_call_id: 'call_unknown', content: '?' },
        ],
        tools: [
          { type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object' }, strict: true } },
          { type: 'function', function: { name: 'get_time' } },
        ],
        tool_choice: 'auto',
        keep_alive: '10m',
        user: 'u-1',
        metadata: { a: 1 },
        stream_options: { include_usage: true },
      }),
      false,
      {
        model: MODEL,
        stream: false,
        messages: [
          { role: 'user', content: 'Weather in Paris and Lyon?' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }, { function: { name: 'get_time', arguments: {} } }],
          },
          { role: 'tool', content: '18C', tool_name: 'get_weather' },
          { role: 'tool', content: '14:02', tool_name: 'get_time' },
          { role: 'tool', content: '?' },
        ],
        tools: [
          { type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object' } } },
          { type: 'function', function: { name: 'get_time' } },
        ],
      },
    ],
    [
      'tool_choice none withholds the tools',
      request({ tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'none' }),
      false,
      { model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: false },
    ],
  ])('%s', (_name, req, stream, expected) => {
    expect(toOllamaChatRequest(req, MODEL, stream, BACKEND)).toEqual(expected);
  });

  it.each<[string, ChatCompletionRequest, string, RegExp]>([
    [
      'http image URLs',
      request({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }),
      'messages',
      /^Ollama backends take images as data: URLs only$/,
    ],
    ['n > 1', request({ n: 2 }), 'n', /one choice/],
    [
      'tool arguments that are not JSON',
      request({ messages: [{ role: 'assistant', content: '', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] }),
      'messages',
      /valid JSON/,
    ],
    [
      'tool arguments that are not an object',
      request({ messages: [{ role: 'assistant', content: '', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }] }] }),
      'messages',
      /JSON object/,
    ],
    [
      'audio parts',
      request({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] }),
      'messages',
      /input_audio/,
    ],
  ])('refuses %s as a 400 client error', async (_name, req, param, message) => {
    const err = await caught(() => toOllamaChatRequest(req, MODEL, false, BACKEND));
    expect(err).toMatchObject({ failure: 'client_error', status: 400, upstreamStatus: 400, param, backend: BACKEND, retryable: false });
    expect(err.message).toMatch(message);
  });
});

// ---------------------------------------------------------------------------------------------
// Response mapping
// ---------------------------------------------------------------------------------------------

describe('fromOllamaChatResponse', () => {
  it.each([
    {
      file: 'chat.basic.json',
      created: Math.floor(Date.parse('2024-12-12T14:13:43.416799Z') / 1000),
      model: 'llama3.2:3b',
      message: {
        role: 'assistant',
        content: expect.stringMatching(/^The sky is blue because of Rayleigh scattering/) as unknown,
        refusal: null,
      },
      finish: 'stop',
      usage: { prompt_tokens: 26, completion_tokens: 31, total_tokens: 57 },
    },
    {
      file: 'chat.tool-call.json',
      created: 1721680408,
      model: 'llama3.1:8b',
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [
          { id: 'call_test_0', type: 'function', function: { name: 'get_current_weather', arguments: '{"format":"celsius","location":"Paris, FR"}' } },
          { id: 'call_test_1', type: 'function', function: { name: 'get_current_weather', arguments: '{"format":"celsius","location":"Lyon, FR"}' } },
        ],
      },
      finish: 'tool_calls',
      usage: { prompt_tokens: 122, completion_tokens: 33, total_tokens: 155 },
    },
    {
      file: 'chat.length.json',
      created: 1736416931,
      model: 'qwen2.5:7b',
      message: { role: 'assistant', content: 'Once upon a time, in a valley between two', refusal: null },
      finish: 'length',
      usage: { prompt_tokens: 14, completion_tokens: 10, total_tokens: 24 },
    },
    {
      file: 'chat.thinking.json',
      created: 1748852100,
      model: 'qwen3:8b',
      message: { role: 'assistant', content: '4', refusal: null, reasoning_content: '2 + 2 is 4.' },
      finish: 'stop',
      usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
    },
  ])('$file -> finish $finish', ({ file, created, model, message, finish, usage }) => {
    const completion = fromOllamaChatResponse(fixture<OllamaChatResponse>(file), ID);
    expect(completion).toEqual({
      id: ID,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
      usage,
    });
  });

  it.each([
    ['load', 'stop'],
    ['unload', 'stop'],
    [undefined, 'stop'],
  ])('done_reason %s -> %s; missing counts are 0', (doneReason, finish) => {
    const c = fromOllamaChatResponse({
      model: 'm',
      created_at: 'not a date',
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: doneReason,
    });
    expect(c.choices[0].finish_reason).toBe(finish);
    expect(c.choices[0].message.content).toBe('');
    expect(c.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(Math.abs(c.created - Date.now() / 1000)).toBeLessThan(5);
    expect(c.id).toMatch(/^chatcmpl-[0-9a-f]{24}$/);
  });
});

// ---------------------------------------------------------------------------------------------
// Streaming
// ---------------------------------------------------------------------------------------------

describe('OllamaStreamTranslator', () => {
  it.each([
    {
      file: 'stream.basic.ndjson',
      model: 'llama3.2:3b',
      created: 1734012823,
      content: 'The sky is blue ☀️.',
      toolCalls: [],
      finish: 'stop',
      usage: { prompt_tokens: 26, completion_tokens: 5, total_tokens: 31 },
    },
    {
      file: 'stream.tool-call.ndjson',
      model: 'llama3.1:8b',
      created: 1748510507,
      content: '',
      toolCalls: [
        { index: 0, id: 'call_test_0', type: 'function', function: { name: 'get_current_weather', arguments: '{"format":"celsius","location":"Paris, FR"}' } },
        { index: 1, id: 'call_test_1', type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' } },
      ],
      finish: 'tool_calls',
      usage: { prompt_tokens: 188, completion_tokens: 41, total_tokens: 229 },
    },
    {
      file: 'stream.length.ndjson',
      model: 'qwen2.5:7b',
      created: 1736416931,
      content: 'Once upon a time',
      toolCalls: [],
      finish: 'length',
      usage: { prompt_tokens: 14, completion_tokens: 4, total_tokens: 18 },
    },
  ])('$file -> $finish', async ({ file, model, created, content, toolCalls, finish, usage }) => {
    const chunks = await translate(fixtureText(file));
    for (const c of chunks) expect(c).toMatchObject({ id: ID, object: 'chat.completion.chunk', created, model });
    expect(chunks[0].choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }]);
    expect(contentOf(chunks)).toBe(content);
    expect(chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])).toEqual(toolCalls);

    const [finishChunk, usageChunk] = chunks.slice(-2);
    expect(finishChunk.choices).toEqual([{ index: 0, delta: {}, finish_reason: finish, logprobs: null }]);
    expect(finishChunk.usage).toBeUndefined();
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual(usage);
    // Only the finish chunk carries a finish_reason, and no chunk before it is empty.
    expect(chunks.filter((c) => c.choices[0]?.finish_reason)).toHaveLength(1);
    for (const c of chunks.slice(1, -2)) expect(Object.keys(c.choices[0].delta).length).toBeGreaterThan(0);
  });

  it('fails on an error line mid-stream, after what came before', async () => {
    const t = new OllamaStreamTranslator(BACKEND, ID);
    const seen: ChatCompletionChunk[] = [];
    const err = await caught(
      (async () => {
        for await (const line of readNdjson<OllamaStreamLine>(pieces(fixtureText('stream.error.ndjson')), 1 << 20, () => new Error('line too long')))
          seen.push(...t.push(line));
      })(),
    );
    expect(contentOf(seen)).toBe('The');
    expect(err).toMatchObject({ failure: 'server_error', status: 502, backend: BACKEND });
    expect(err.detail).toContain('unexpected EOF');
  });

  it('fails when the stream ends before its done line', async () => {
    const err = await caught(translate(fixtureText('stream.truncated.ndjson')));
    expect(err).toMatchObject({ failure: 'network', status: 502 });
  });

  it('ignores lines after done', async () => {
    const text = `${fixtureText('stream.length.ndjson')}${fixtureText('stream.basic.ndjson')}`;
    const chunks = await translate(text);
    expect(contentOf(chunks)).toBe('Once upon a time');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(4);
  });
});

// ---------------------------------------------------------------------------------------------
// Embeddings and errors
// ---------------------------------------------------------------------------------------------

describe('embeddings mapping', () => {
  it.each<[string, EmbeddingsRequest, Record<string, unknown>]>([
    ['one text', { model: 'x', input: 'hello' }, { model: 'all-minilm', input: 'hello' }],
    ['several texts', { model: 'x', input: ['a', 'b'], encoding_format: 'base64', user: 'u' }, { model: 'all-minilm', input: ['a', 'b'] }],
    ['dimensions', { model: 'x', input: 'a', dimensions: 256 }, { model: 'all-minilm', input: 'a', dimensions: 256 }],
  ])('request: %s', (_name, req, expected) => {
    expect(toOllamaEmbedRequest(req, 'all-minilm', BACKEND)).toEqual(expected);
  });

  it.each<[string, EmbeddingsRequest['input']]>([
    ['tokens', [1, 2, 3]],
    ['token arrays', [[1, 2], [3]]],
  ])('request: refuses %s', async (_name, input) => {
    const err = await caught(() => toOllamaEmbedRequest({ model: 'x', input }, 'all-minilm', BACKEND));
    expect(err).toMatchObject({ failure: 'client_error', status: 400, param: 'input' });
  });

  const embed = fixture<OllamaEmbedResponse>('embed.json');

  it('response: floats', () => {
    expect(fromOllamaEmbedResponse(embed, 'asked')).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: embed.embeddings[0] },
        { object: 'embedding', index: 1, embedding: embed.embeddings[1] },
      ],
      model: 'all-minilm:latest',
      usage: { prompt_tokens: 16, total_tokens: 16 },
    });
  });

  it('response: base64 little-endian float32', () => {
    const res = fromOllamaEmbedResponse(embed, 'asked', 'base64');
    res.data.forEach((d, i) => {
      const bytes = Buffer.from(d.embedding as string, 'base64');
      expect(bytes.length).toBe(embed.embeddings[i].length * 4);
      const back = Array.from({ length: bytes.length / 4 }, (_, k) => bytes.readFloatLE(k * 4));
      back.forEach((v, k) => expect(v).toBeCloseTo(embed.embeddings[i][k], 6));
    });
    expect(floatsToBase64([1])).toBe('AACAPw==');
  });
});

describe('ollamaErrorDetail', () => {
  it.each<[string, unknown, Record<string, unknown>]>([
    [
      'a missing model',
      fixture('error.model-not-found.json'),
      { message: 'model "llama9:70b" not found, try pulling it first', code: 'model_not_found', param: 'model' },
    ],
    ['a plain error', { error: 'unexpected server status: llm server loading model' }, { message: 'unexpected server status: llm server loading model' }],
    ['a proxy-style error', { error: { message: 'Invalid token' } }, { message: 'Invalid token' }],
    ['something else', { detail: 'x' }, { message: undefined }],
  ])('%s', (_name, body, expected) => {
    expect(ollamaErrorDetail(body)).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// The adapter over real HTTP
// ---------------------------------------------------------------------------------------------

function backendAt(baseUrl: string, extra: Record<string, unknown> = {}): BackendConfig {
  const config = parseConfig(JSON.stringify({ backends: [{ name: BACKEND, protocol: 'ollama', baseUrl, tier: 'local', models: ['fake-model'], ...extra }] }));
  return config.backends[0];
}

const ctx = (): AdapterContext => ({ signal: new AbortController().signal, requestId: 'req-42' });

describe('OllamaAdapter against fake-llm', () => {
  let fake: FakeLlm;
  let adapter: OllamaAdapter;

  beforeAll(async () => {
    fake = await startFakeLlm({ protocol: 'ollama' });
    adapter = ollamaAdapterFactory.create(backendAt(fake.baseUrl, { apiKey: 'proxy-key', headers: { 'x-org': 'acme' } })) as OllamaAdapter;
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await adapter.close();
    await fake.close();
  });

  const tools: ChatCompletionRequest['tools'] = [
    {
      type: 'function',
      function: { name: 'lookup', description: 'Looks things up', parameters: { type: 'object', properties: { input: { type: 'string' } } } },
    },
  ];

  it('is the ollama factory', () => {
    expect(ollamaAdapterFactory.protocol).toBe('ollama');
    expect(adapter).toBeInstanceOf(OllamaAdapter);
    expect(adapter.backend.name).toBe(BACKEND);
  });

  it('chat: a plain answer, with the headers and the native body', async () => {
    const c = await adapter.chat(request({ messages: [user('hello there')], temperature: 0.1 }), 'fake-model', ctx());
    expect(c).toMatchObject({
      object: 'chat.completion',
      model: 'fake-model',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Echo: hello there', refusal: null }, finish_reason: 'stop', logprobs: null }],
    });
    expect(c.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(c.usage?.total_tokens).toBe((c.usage?.prompt_tokens ?? 0) + (c.usage?.completion_tokens ?? 0));

    const [sent] = fake.requests;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/api/chat');
    expect(sent.body).toEqual({ model: 'fake-model', messages: [{ role: 'user', content: 'hello there' }], stream: false, options: { temperature: 0.1 } });
    expect(sent.headers).toMatchObject({ authorization: 'Bearer proxy-key', 'x-request-id': 'req-42', 'x-org': 'acme', 'content-type': 'application/json' });
  });

  it('chat: length when num_predict runs out', async () => {
    const c = await adapter.chat(request({ messages: [user('one two three four five')], max_tokens: 2 }), 'fake-model', ctx());
    expect(c.choices[0].finish_reason).toBe('length');
    expect(c.usage?.completion_tokens).toBe(2);
  });

  it('chatStream: content chunks, a finish chunk, then usage', async () => {
    const chunks = await collect(await adapter.chatStream(request({ messages: [user('stream me please')], stream: true }), 'fake-model', ctx()));
    expect(contentOf(chunks)).toBe('Echo: stream me please');
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(finishOf(chunks)).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: expect.any(Number) as unknown } });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(fake.requests[0].body).toMatchObject({ stream: true });
  });

  it('tool calls, non-streaming and streaming, and the result sent back by name', async () => {
    const c = await adapter.chat(request({ messages: [user('find llamas')], tools }), 'fake-model', ctx());
    const call = c.choices[0].message.tool_calls?.[0];
    expect(c.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { content: null } });
    expect(call).toEqual({
      id: expect.stringMatching(/^call_/) as unknown,
      type: 'function',
      function: { name: 'lookup', arguments: '{"input":"find llamas"}' },
    });

    const chunks = await collect(await adapter.chatStream(request({ messages: [user('find alpacas')], tools, stream: true }), 'fake-model', ctx()));
    expect(finishOf(chunks)).toBe('tool_calls');
    expect(chunks.flatMap((k) => k.choices[0]?.delta.tool_calls ?? [])).toEqual([
      { index: 0, id: expect.stringMatching(/^call_/) as unknown, type: 'function', function: { name: 'lookup', arguments: '{"input":"find alpacas"}' } },
    ]);

    const followUp = await adapter.chat(
      request({
        messages: [
          user('find llamas'),
          { role: 'assistant', content: null, tool_calls: [call!] },
          { role: 'tool', tool_call_id: call!.id, content: 'three llamas' },
        ],
        tools,
      }),
      'fake-model',
      ctx(),
    );
    expect(followUp.choices[0].message.content).toBe('Tool said: three llamas');
    const sent = fake.requests.at(-1)?.body as { messages: unknown[] };
    expect(sent.messages.slice(1)).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'lookup', arguments: { input: 'find llamas' } } }] },
      { role: 'tool', content: 'three llamas', tool_name: 'lookup' },
    ]);
  });

  it('embeddings: floats and base64', async () => {
    const floats = await adapter.embeddings({ model: 'x', input: ['the sky', 'the sea'] }, 'fake-model', ctx());
    expect(floats).toMatchObject({ object: 'list', model: 'fake-model', usage: { prompt_tokens: 4, total_tokens: 4 } });
    expect(floats.data.map((d) => d.index)).toEqual([0, 1]);
    const vector = floats.data[0].embedding as number[];
    expect(vector.length).toBeGreaterThan(0);
    expect(fake.requests[0]).toMatchObject({ path: '/api/embed', body: { model: 'fake-model', input: ['the sky', 'the sea'] } });

    const b64 = await adapter.embeddings({ model: 'x', input: 'the sky', encoding_format: 'base64' }, 'fake-model', ctx());
    const bytes = Buffer.from(b64.data[0].embedding as string, 'base64');
    expect(bytes.length).toBe(vector.length * 4);
    expect(bytes.readFloatLE(0)).toBeCloseTo(vector[0], 6);
  });

  it('a 500 is a retryable server_error; a missing model a 404 client error', async () => {
    fake.setFault({ mode: 'error', status: 500, message: 'llama runner process has terminated', times: 2 });
    const chatErr = await caught(adapter.chat(request(), 'fake-model', ctx()));
    expect(chatErr).toMatchObject({ failure: 'server_error', status: 502, upstreamStatus: 500, retryable: true, backend: BACKEND });
    expect(chatErr.detail).toContain('llama runner process has terminated');
    const streamErr = await caught(adapter.chatStream(request({ stream: true }), 'fake-model', ctx()));
    expect(streamErr).toMatchObject({ failure: 'server_error', upstreamStatus: 500 });

    const missing = await caught(adapter.chat(request(), 'llama9:70b', ctx()));
    expect(missing).toMatchObject({ failure: 'client_error', status: 404, type: 'not_found_error', code: 'model_not_found', param: 'model', retryable: false });
    expect(missing.message).toBe('model "llama9:70b" not found, try pulling it first');
  });

  it('a stream cut midway fails while iterating', async () => {
    fake.setFault({ mode: 'midstream', afterChunks: 2, times: 1 });
    const stream = await adapter.chatStream(request({ messages: [user('a b c d e f g')], stream: true }), 'fake-model', ctx());
    const err = await caught(collect(stream));
    expect(err.failure).toBe('network');
  });

  it('probe: lists tags; a 5xx throws', async () => {
    await expect(adapter.probe(new AbortController().signal)).resolves.toBeUndefined();
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/api/tags' });
    fake.setFault({ mode: 'error', status: 503, times: 1 });
    expect(await caught(adapter.probe(new AbortController().signal))).toMatchObject({ failure: 'server_error', upstreamStatus: 503 });
  });
});

describe('OllamaAdapter against a scripted server', () => {
  let server: http.Server;
  let adapter: OllamaAdapter;
  let body = '';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    adapter = new OllamaAdapter(backendAt(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
  afterAll(async () => {
    await adapter.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('an error as the first stream line rejects the call itself (so it can fall back)', async () => {
    body = '{"error":"model requires more system memory (9.1 GiB) than is available (4.0 GiB)"}\n';
    const err = await caught(adapter.chatStream(request({ stream: true }), 'fake-model', ctx()));
    expect(err).toMatchObject({ failure: 'server_error', retryable: true });
    expect(err.detail).toContain('more system memory');
  });

  it('an error line mid-stream fails the iteration', async () => {
    body = fixtureText('stream.error.ndjson');
    const stream = await adapter.chatStream(request({ stream: true }), 'fake-model', ctx());
    const err = await caught(collect(stream));
    expect(err).toMatchObject({ failure: 'server_error' });
  });

  it('a line that is not JSON is a protocol failure', async () => {
    body = `${fixtureText('stream.truncated.ndjson')}<html>oops</html>\n`;
    const stream = await adapter.chatStream(request({ stream: true }), 'fake-model', ctx());
    expect((await caught(collect(stream))).failure).toBe('protocol');
  });

  it('a 200 carrying {"error"} for a non-streaming chat is a server_error', async () => {
    body = '{"error":"unexpected server status"}';
    expect((await caught(adapter.chat(request(), 'fake-model', ctx()))).failure).toBe('server_error');
  });

  it('stops reading when the consumer leaves early', async () => {
    body = fixtureText('stream.basic.ndjson');
    const stream = await adapter.chatStream(request({ stream: true }), 'fake-model', ctx());
    for await (const chunk of stream) {
      expect(chunk.choices[0].delta.role).toBe('assistant');
      break;
    }
    // The connection is usable afterwards.
    body = fixtureText('stream.length.ndjson');
    expect(finishOf(await collect(await adapter.chatStream(request({ stream: true }), 'fake-model', ctx())))).toBe('length');
  });
});
