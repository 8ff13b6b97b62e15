import OpenAI from 'openai';
import type { Protocol } from '@switchyard/contracts';
import { assertOpenAISchema } from './support/openai-spec';
import { ADMIN_KEY, startStack, type Stack } from './support/stack';

// The official OpenAI SDK, unchanged but for its base URL, against the gateway in front of each
// backend protocol. Every response and every stream chunk is checked against OpenAI's own spec.

const PROTOCOLS: { protocol: Protocol; model: string; embeds: boolean }[] = [
  { protocol: 'openai', model: 'gpt-4o-mini', embeds: true },
  { protocol: 'ollama', model: 'llama3.2', embeds: true },
  { protocol: 'anthropic', model: 'claude-sonnet-4-5', embeds: false },
];

const weatherTool: OpenAI.Chat.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { input: { type: 'string' } } } },
};

describe.each(PROTOCOLS)('OpenAI SDK through the gateway to a $protocol backend', ({ protocol, model, embeds }) => {
  let stack: Stack;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await startStack({
      backends: [{ name: `${protocol}-backend`, protocol, tier: protocol === 'anthropic' ? 'cloud' : 'local', models: [model] }],
      models: [{ name: 'chat', targets: [{ backend: `${protocol}-backend`, model }] }],
    });
    client = new OpenAI({ baseURL: stack.baseURL, apiKey: ADMIN_KEY, maxRetries: 0 });
  });
  afterAll(() => stack.close());

  it('answers a chat completion, with routing headers', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'chat',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hello gateway' },
        ],
        max_tokens: 50,
      })
      .withResponse();
    assertOpenAISchema('CreateChatCompletionResponse', data);
    expect(data.choices[0].message.content).toBe('Echo: hello gateway');
    expect(data.choices[0].finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ completion_tokens: 3, total_tokens: expect.any(Number) });
    expect(response.headers.get('x-switchyard-backend')).toBe(`${protocol}-backend`);
    expect(response.headers.get('x-switchyard-tier')).toBe(protocol === 'anthropic' ? 'cloud' : 'local');
    expect(response.headers.get('x-switchyard-route')).toBe('model:chat');
    expect(response.headers.get('server-timing')).toMatch(/^gateway;dur=\d+(\.\d+)?, upstream;dur=\d+(\.\d+)?$/);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('streams chunks, each valid, ending with usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'stream me three words' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      assertOpenAISchema('CreateChatCompletionStreamResponse', chunk);
      chunks.push(chunk);
    }
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Echo: stream me three words');
    expect(chunks.filter((c) => c.choices[0]?.finish_reason === 'stop')).toHaveLength(1);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: 5 });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('streams without a usage chunk when not asked', async () => {
    const stream = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
  });

  it('calls tools and takes the tool result back', async () => {
    const first = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'weather in Paris' }], tools: [weatherTool] });
    assertOpenAISchema('CreateChatCompletionResponse', first);
    const call = first.choices[0].message.tool_calls?.[0];
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call?.type).toBe('function');
    const fn = (call as OpenAI.Chat.ChatCompletionMessageFunctionToolCall).function;
    expect(fn.name).toBe('get_weather');
    expect(JSON.parse(fn.arguments)).toEqual({ input: 'weather in Paris' });

    const second = await client.chat.completions.create({
      model: 'chat',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'weather in Paris' },
        { role: 'assistant', content: null, tool_calls: first.choices[0].message.tool_calls },
        { role: 'tool', tool_call_id: call!.id, content: 'sunny' },
      ],
    });
    expect(second.choices[0].message.content).toBe('Tool said: sunny');
  });

  it('streams tool-call argument deltas that reassemble into the call', async () => {
    const stream = await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'weather in Oslo' }],
      tools: [weatherTool],
      stream: true,
    });
    let args = '';
    let name = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      assertOpenAISchema('CreateChatCompletionStreamResponse', chunk);
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += tc.function?.name ?? '';
        args += tc.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ input: 'weather in Oslo' });
    expect(finish).toBe('tool_calls');
  });

  it('truncates at max_tokens with finish_reason length', async () => {
    const res = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'one two three four five' }], max_tokens: 2 });
    expect(res.choices[0].finish_reason).toBe('length');
  });

  it('lists and retrieves models', async () => {
    const list = await client.models.list();
    const ids = list.data.map((m) => m.id);
    expect(ids).toEqual(['chat', model]);
    for (const m of list.data) assertOpenAISchema('Model', m);
    const one = await client.models.retrieve('chat');
    expect(one).toMatchObject({ id: 'chat', object: 'model', owned_by: 'switchyard' });
    await expect(client.models.retrieve('nope')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('routes a backend model id directly', async () => {
    const { response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(response.headers.get('x-switchyard-route')).toBe('direct');
  });

  if (embeds)
    it('creates embeddings, as floats and as base64', async () => {
      const res = await client.embeddings.create({ model, input: ['alpha', 'beta'] });
      assertOpenAISchema('CreateEmbeddingResponse', res);
      expect(res.data).toHaveLength(2);
      expect(res.data[0].embedding.length).toBeGreaterThan(0);
      // The SDK asks for base64 by default and decodes it; ask for floats explicitly too.
      const floats = await client.embeddings.create({ model, input: 'alpha', encoding_format: 'float' });
      expect(floats.data[0].embedding).toEqual(res.data[0].embedding);
    });

  if (!embeds) {
    it('refuses embeddings the backend cannot serve, in OpenAI shape', async () => {
      await expect(client.embeddings.create({ model, input: 'alpha' })).rejects.toMatchObject({ status: 400 });
    });
  }

  it('maps errors to OpenAI error objects', async () => {
    await expect(client.chat.completions.create({ model: 'gpt-99', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
      param: 'model',
    });
    const badKey = new OpenAI({ baseURL: stack.baseURL, apiKey: 'wrong', maxRetries: 0 });
    await expect(badKey.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
    await expect(client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }], temperature: 3 })).rejects.toMatchObject({
      status: 400,
      param: 'temperature',
    });
  });
});
