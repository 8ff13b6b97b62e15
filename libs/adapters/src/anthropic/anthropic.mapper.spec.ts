import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AuthenticationError,
  InvalidRequestError,
  ModelNotFoundError,
  PolicyDeniedError,
  SwitchyardError,
  typeForStatus,
  UpstreamError,
  type AnthropicErrorBody,
  type AnthropicMessage,
  type AnthropicMessagesRequest,
  type ChatCompletion,
  type ChatCompletionRequest,
} from '@switchyard/contracts';
import {
  anthropicErrorDetail,
  anthropicErrorType,
  fromAnthropicMessage,
  fromAnthropicRequest,
  toAnthropicError,
  originalAnthropicMessage,
  toAnthropicMessage,
  toAnthropicRequest,
} from './anthropic.mapper';

// Each pair undoes the other for everything both shapes can say; what one side cannot carry is
// listed case by case below, as the normalised form the round trip comes back in.

const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as T;
const CREATED = 1_700_000_000;

/** canonical -> Anthropic -> canonical, as a backend call and a door would chain them. */
const canonicalRoundTrip = (req: ChatCompletionRequest): ChatCompletionRequest =>
  fromAnthropicRequest(toAnthropicRequest(req, req.model, req.stream === true, 'claude'));
/** Anthropic -> canonical -> Anthropic. */
const anthropicRoundTrip = (req: AnthropicMessagesRequest): AnthropicMessagesRequest => {
  const canonical = fromAnthropicRequest(req);
  return toAnthropicRequest(canonical, canonical.model, canonical.stream === true, 'claude');
};

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};
const anthropicWeatherTool = { name: 'get_weather', description: 'Current weather', input_schema: weatherTool.function.parameters };
const PDF = 'JVBERi0xLjQKJcOkw7zDtsOf';
const JPEG = '/9j/4AAQSkZJRgABAQ==';

// ---- request --------------------------------------------------------------------------------

describe('request: canonical -> Anthropic -> canonical', () => {
  const cases: { name: string; req: ChatCompletionRequest }[] = [
    { name: 'one user turn', req: { model: 'claude-x', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 100 } },
    {
      name: 'system prompt, sampling, stop sequences and user',
      req: {
        model: 'claude-x',
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'user', content: 'Bye' },
        ],
        max_tokens: 50,
        temperature: 0.5,
        top_p: 0.9,
        stop: ['END', '\n\nHuman:'],
        user: 'u-42',
      },
    },
    {
      name: 'images: a data URL and a web URL',
      req: {
        model: 'claude-x',
        max_tokens: 100,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${JPEG}` } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            ],
          },
        ],
      },
    },
    {
      name: 'a PDF file',
      req: {
        model: 'claude-x',
        max_tokens: 100,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Summarise' },
              { type: 'file', file: { filename: 'document.pdf', file_data: `data:application/pdf;base64,${PDF}` } },
            ],
          },
        ],
      },
    },
    {
      name: 'two tool calls beside text, their results, one call at a time',
      req: {
        model: 'claude-x',
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'Weather in SF and Paris?' },
          {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [
              { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"SF"}' } },
              { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris","unit":"c"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
          { role: 'tool', tool_call_id: 'toolu_2', content: '21°C' },
        ],
        tools: [weatherTool, { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } }],
        tool_choice: 'auto',
        parallel_tool_calls: false,
      },
    },
    {
      name: 'tool calls without text; a named tool choice',
      req: {
        model: 'claude-x',
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'Go' },
          { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 't1', content: 'done' },
          { role: 'assistant', content: [{ type: 'text', text: 'Done.' }] },
        ],
        tools: [weatherTool],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      },
    },
    {
      name: "tool_choice 'required'",
      req: { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }], tools: [weatherTool], tool_choice: 'required' },
    },
    {
      name: "tool_choice 'none'",
      req: { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }], tools: [weatherTool], tool_choice: 'none' },
    },
    {
      name: 'a stream, with its usage',
      req: { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } },
    },
  ];

  it.each(cases)('$name', ({ req }) => {
    expect(canonicalRoundTrip(req)).toEqual(req);
  });

  it('comes back normalised where the Anthropic request cannot say it', () => {
    const req: ChatCompletionRequest = {
      model: 'claude-x',
      messages: [
        { role: 'system', content: 'One.' },
        { role: 'developer', content: 'Two.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'now', arguments: '{ "tz": "UTC" }' } }] },
        { role: 'tool', tool_call_id: 't1', content: [{ type: 'text', text: '12:00' }] },
        { role: 'user', content: 'Thanks' },
      ],
      max_completion_tokens: 20,
      temperature: 1.5,
      stop: 'END',
      seed: 7,
      tools: [{ type: 'function', function: { name: 'now' } }],
    };
    expect(canonicalRoundTrip(req)).toEqual({
      model: 'claude-x',
      messages: [
        { role: 'system', content: 'One.\n\nTwo.' }, // system and developer messages are one system prompt
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'now', arguments: '{"tz":"UTC"}' } }] },
        { role: 'tool', tool_call_id: 't1', content: '12:00' },
        { role: 'user', content: [{ type: 'text', text: 'Thanks' }] }, // shared a turn with the tool result
      ],
      max_tokens: 20,
      temperature: 1, // Anthropic's range is 0..1
      stop: ['END'],
      tools: [{ type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } }],
    });
  });

  it('a request without a limit comes back with the default one', () => {
    expect(canonicalRoundTrip({ model: 'claude-x', messages: [{ role: 'user', content: 'Hi' }] }).max_tokens).toBe(4096);
  });
});

describe('request: Anthropic -> canonical -> Anthropic', () => {
  const cases: { name: string; req: AnthropicMessagesRequest }[] = [
    { name: 'one user turn', req: { model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }], stream: false } },
    {
      name: 'system string, sampling, stop sequences, metadata, stream',
      req: {
        model: 'claude-x',
        max_tokens: 1024,
        system: 'You are terse.',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'user', content: 'Bye' },
        ],
        temperature: 0.2,
        top_p: 0.8,
        stop_sequences: ['END'],
        metadata: { user_id: 'u-42' },
        stream: true,
      },
    },
    {
      name: 'images (base64 and url) and a base64 PDF',
      req: {
        model: 'claude-x',
        max_tokens: 100,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare these' },
              { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: JPEG } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF } },
            ],
          },
        ],
        stream: false,
      },
    },
    {
      name: 'multiple tool uses, their results first in the next user turn, then text',
      req: {
        model: 'claude-x',
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'Weather in SF and Paris?' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking both.' },
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'SF' } },
              { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { location: 'Paris', unit: 'celsius' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
              { type: 'tool_result', tool_use_id: 'toolu_2', content: '21°C' },
              { type: 'text', text: 'Which is warmer?' },
            ],
          },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_3', name: 'get_weather', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_3' }] },
        ],
        tools: [anthropicWeatherTool],
        tool_choice: { type: 'auto', disable_parallel_tool_use: true },
        stream: false,
      },
    },
    ...(['any', 'none'] as const).map((type) => ({
      name: `tool_choice ${type}`,
      req: {
        model: 'claude-x',
        max_tokens: 10,
        messages: [{ role: 'user' as const, content: 'Hi' }],
        tools: [anthropicWeatherTool],
        tool_choice: { type },
        stream: false,
      },
    })),
    {
      name: 'tool_choice tool',
      req: {
        model: 'claude-x',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'Hi' }],
        tools: [anthropicWeatherTool],
        tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
        stream: false,
      },
    },
  ];

  it.each(cases)('$name', ({ req }) => {
    expect(anthropicRoundTrip(req)).toEqual(req);
  });

  it('comes back normalised where the canonical request cannot say it', () => {
    const req: AnthropicMessagesRequest = {
      model: 'claude-x',
      max_tokens: 2048,
      system: [
        { type: 'text', text: 'You are a weather bot.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Answer in French.' },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?', cache_control: { type: 'ephemeral' } }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Use the tool.', signature: 'sig' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              is_error: true,
              content: [
                { type: 'text', text: 'Radar:' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
              ],
            },
          ],
        },
      ],
      top_k: 40,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [{ ...anthropicWeatherTool, cache_control: { type: 'ephemeral' } }],
    };
    expect(anthropicRoundTrip(req)).toEqual({
      model: 'claude-x',
      max_tokens: 2048,
      system: 'You are a weather bot.\nAnswer in French.', // blocks are one prompt; cache_control has no canonical form
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } }] }, // no thinking
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Radar:' }, // is_error dropped
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }, // moved beside it
          ],
        },
      ],
      tools: [anthropicWeatherTool], // top_k and thinking dropped: OpenAI-compatible backends refuse them
      stream: false,
    });
  });

  it('maps every field to its canonical name', () => {
    expect(
      fromAnthropicRequest({
        model: 'claude-x',
        max_tokens: 300,
        system: 'Sys',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_9', content: [{ type: 'text', text: 'ok' }] },
              { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
            ],
          },
        ],
        temperature: 0,
        stop_sequences: ['STOP'],
        metadata: { user_id: 'u-1' },
        tools: [anthropicWeatherTool],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
        stream: true,
      }),
    ).toEqual({
      model: 'claude-x',
      max_tokens: 300,
      messages: [
        { role: 'system', content: 'Sys' },
        { role: 'tool', tool_call_id: 'toolu_9', content: [{ type: 'text', text: 'ok' }] },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
      ],
      temperature: 0,
      stop: ['STOP'],
      user: 'u-1',
      tools: [weatherTool],
      tool_choice: 'required',
      parallel_tool_calls: false,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('a tool_choice without tools is not passed on (OpenAI refuses it)', () => {
    const out = fromAnthropicRequest({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'Hi' }], tool_choice: { type: 'any' } });
    expect(out).not.toHaveProperty('tool_choice');
  });

  it('a document it cannot carry is a 400 naming the block', () => {
    const req: AnthropicMessagesRequest = {
      model: 'm',
      max_tokens: 1,
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Read this' },
            { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
          ],
        },
      ],
    };
    expect(() => fromAnthropicRequest(req)).toThrow(InvalidRequestError);
    expect(() => fromAnthropicRequest(req)).toThrow(expect.objectContaining({ status: 400, param: 'messages[2].content[1]' }));
  });
});

// ---- response -------------------------------------------------------------------------------

describe('response: Anthropic -> canonical -> Anthropic', () => {
  const roundTrip = (msg: AnthropicMessage): AnthropicMessage => toAnthropicMessage(fromAnthropicMessage(msg, CREATED));
  const usage = (m: AnthropicMessage) => ({ input_tokens: m.usage.input_tokens, output_tokens: m.usage.output_tokens });

  it.each(['response-tool-use.json', 'response-tool-only.json', 'response-max-tokens.json', 'response-refusal.json'])('%s', (file) => {
    const msg = fixture<AnthropicMessage>(file);
    expect(roundTrip(msg)).toEqual(msg);
  });

  it('response-text.json: usage keeps the counts, not the zero cache fields or service tier', () => {
    const msg = fixture<AnthropicMessage>('response-text.json');
    expect(roundTrip(msg)).toEqual({ ...msg, usage: usage(msg) });
  });

  it('response-cached.json: text blocks join, the stop sequence is a plain stop, cache counts fold into input', () => {
    const msg = fixture<AnthropicMessage>('response-cached.json');
    expect(roundTrip(msg)).toEqual({
      ...msg,
      content: [{ type: 'text', text: 'The capital of France is Paris.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 4520, output_tokens: 7 },
    });
  });

  it('response-thinking.json: thinking has no canonical form', () => {
    const msg = fixture<AnthropicMessage>('response-thinking.json');
    expect(roundTrip(msg)).toEqual({ ...msg, content: msg.content.filter((b) => b.type !== 'thinking') });
  });
});

describe('originalAnthropicMessage', () => {
  it('gives back the message a completion was read from, thinking and stop sequence included, until the completion is changed', () => {
    const thinking = fixture<AnthropicMessage>('response-thinking.json');
    const cached = fixture<AnthropicMessage>('response-cached.json');
    expect(originalAnthropicMessage(fromAnthropicMessage(thinking))).toBe(thinking);
    const completion = fromAnthropicMessage(cached);
    expect(originalAnthropicMessage(completion)).toBe(cached);
    // as restoring redacted values does: in place
    completion.choices[0].message.content = 'The capital of France is [LOCATION].';
    expect(originalAnthropicMessage(completion)).toBeUndefined();
    expect(originalAnthropicMessage({ ...fromAnthropicMessage(cached) })).toBeUndefined();
  });

  it('the tool calls count as what the completion says', () => {
    const completion = fromAnthropicMessage(fixture<AnthropicMessage>('response-tool-use.json'));
    completion.choices[0].message.tool_calls![0].function.arguments = '{"location":"Paris"}';
    expect(originalAnthropicMessage(completion)).toBeUndefined();
  });
});

describe('response: canonical -> Anthropic -> canonical', () => {
  const completion = (message: ChatCompletion['choices'][0]['message'], finish: ChatCompletion['choices'][0]['finish_reason']): ChatCompletion => ({
    id: 'chatcmpl-9xYz',
    object: 'chat.completion',
    created: CREATED,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
    usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
  });
  const roundTrip = (c: ChatCompletion): ChatCompletion => fromAnthropicMessage(toAnthropicMessage(c), CREATED);

  it.each([
    { name: 'text', c: completion({ role: 'assistant', content: 'Hello!', refusal: null }, 'stop') },
    { name: 'cut at the limit', c: completion({ role: 'assistant', content: 'Once upon', refusal: null }, 'length') },
    { name: 'empty, filtered', c: completion({ role: 'assistant', content: '', refusal: null }, 'content_filter') },
    {
      name: 'text and two tool calls',
      c: completion(
        {
          role: 'assistant',
          content: 'Checking.',
          refusal: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"SF"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        'tool_calls',
      ),
    },
    {
      name: 'tool calls only',
      c: completion(
        {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":[1,2]}' } }],
        },
        'tool_calls',
      ),
    },
  ])('$name', ({ c }) => {
    expect(roundTrip(c)).toEqual(c);
  });

  it('maps to the Anthropic message shape, id without the chatcmpl- prefix', () => {
    expect(
      toAnthropicMessage(
        completion(
          { role: 'assistant', content: 'On it.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: 'not json' } }] },
          'tool_calls',
        ),
      ),
    ).toEqual({
      id: '9xYz',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [
        { type: 'text', text: 'On it.' },
        { type: 'tool_use', id: 'call_1', name: 'f', input: {} }, // tool input must be an object
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 5 },
    });
  });

  it.each([
    { finish: 'stop', tools: false, refusal: null, expected: 'end_turn' },
    { finish: 'length', tools: false, refusal: null, expected: 'max_tokens' },
    { finish: 'tool_calls', tools: true, refusal: null, expected: 'tool_use' },
    { finish: 'function_call', tools: false, refusal: null, expected: 'tool_use' },
    { finish: 'content_filter', tools: false, refusal: null, expected: 'refusal' },
    // Clients run tools on tool_use: some backends finish a tool call with stop.
    { finish: 'stop', tools: true, refusal: null, expected: 'tool_use' },
    { finish: 'stop', tools: false, refusal: 'I cannot help with that.', expected: 'refusal' },
    { finish: null, tools: false, refusal: null, expected: null },
  ] as const)('stop reason: $finish (tool calls: $tools, refusal: $refusal) -> $expected', ({ finish, tools, refusal, expected }) => {
    const message = {
      role: 'assistant' as const,
      content: null,
      refusal,
      ...(tools && { tool_calls: [{ id: 'c', type: 'function' as const, function: { name: 'f', arguments: '{}' } }] }),
    };
    const out = toAnthropicMessage(completion(message, finish));
    expect(out.stop_reason).toBe(expected);
    if (refusal) expect(out.content).toEqual([{ type: 'text', text: refusal }]);
  });

  it("says stop_sequence when the backend names the client's stop sequence it matched (vLLM's stop_reason), else end_turn", () => {
    const stopped = (stop_reason: unknown, tools = false): ChatCompletion => {
      const c = completion(
        {
          role: 'assistant',
          content: 'one two',
          refusal: null,
          ...(tools && { tool_calls: [{ id: 'c', type: 'function' as const, function: { name: 'f', arguments: '{}' } }] }),
        },
        'stop',
      );
      Object.assign(c.choices[0], { stop_reason });
      return c;
    };
    const said = (c: ChatCompletion, sequences: string[]) => {
      const { stop_reason, stop_sequence } = toAnthropicMessage(c, sequences);
      return { stop_reason, stop_sequence };
    };
    expect(said(stopped('three'), ['END', 'three'])).toEqual({ stop_reason: 'stop_sequence', stop_sequence: 'three' });
    // OpenAI and Ollama say no more than stop; vLLM's token ids (EOS) and strings the client did not send are not its stop sequences.
    expect(said(stopped(undefined), ['three'])).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect(said(stopped(128009), ['three'])).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect(said(stopped('three'), [])).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect(said(stopped('three', true), ['three'])).toEqual({ stop_reason: 'tool_use', stop_sequence: null });
  });

  it('cached prompt tokens are counted beside input_tokens, as Anthropic does; no usage is zero', () => {
    const c = completion({ role: 'assistant', content: 'Hi', refusal: null }, 'stop');
    c.usage = { prompt_tokens: 1200, completion_tokens: 5, total_tokens: 1205, prompt_tokens_details: { cached_tokens: 1024 } };
    expect(toAnthropicMessage(c).usage).toEqual({ input_tokens: 176, output_tokens: 5, cache_read_input_tokens: 1024 });
    delete c.usage;
    expect(toAnthropicMessage(c).usage).toEqual({ input_tokens: 0, output_tokens: 0 });
  });
});

// ---- errors ---------------------------------------------------------------------------------

describe('errors', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [422, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'overloaded_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ])('status %i -> %s', (status, type) => {
    expect(anthropicErrorType(status)).toBe(type);
  });

  it.each([
    { err: new AuthenticationError('bad key'), status: 401, type: 'authentication_error' },
    { err: new ModelNotFoundError('claude-9'), status: 404, type: 'not_found_error' },
    { err: new PolicyDeniedError('Denied by rule no-cloud.', 'policy_denied'), status: 403, type: 'permission_error' },
    { err: new InvalidRequestError('Request body is too large.', null, null, 413), status: 413, type: 'request_too_large' },
    { err: new UpstreamError({ backend: 'b', failure: 'rate_limited', message: 'Slow down.' }), status: 429, type: 'rate_limit_error' },
    { err: new UpstreamError({ backend: 'b', failure: 'connect', message: 'No backend.' }), status: 503, type: 'overloaded_error' },
    { err: new UpstreamError({ backend: 'b', failure: 'timeout', message: 'Too slow.' }), status: 504, type: 'timeout_error' },
    { err: new UpstreamError({ backend: 'b', failure: 'server_error', message: 'Broke.' }), status: 502, type: 'api_error' },
  ])('$err.name $status -> $type', ({ err, status, type }) => {
    expect(err.status).toBe(status);
    expect(toAnthropicError(err)).toEqual({ type: 'error', error: { type, message: err.message } });
  });

  it('masks a secret in the message and carries the request id', () => {
    const err = new SwitchyardError({ status: 500, type: 'api_error', message: 'upstream said: invalid key sk-ant-api03-abcdefghijkl' });
    const body = toAnthropicError(err, 'req_123');
    expect(body.request_id).toBe('req_123');
    expect(body.error.message).not.toContain('abcdefghijkl');
  });

  it.each([
    { file: 'error-authentication.json', status: 401 },
    { file: 'error-invalid-request.json', status: 400 },
    { file: 'error-overloaded.json', status: 529 },
  ])('$file round trips through the canonical error', ({ file, status }) => {
    const body = fixture<AnthropicErrorBody>(file);
    const detail = anthropicErrorDetail(body);
    const err = new SwitchyardError({ status, type: typeForStatus(status), message: detail.message ?? '' });
    expect(toAnthropicError(err, body.request_id ?? undefined)).toEqual(body);
    expect(anthropicErrorDetail(toAnthropicError(err))).toEqual({ message: body.error.message, code: body.error.type });
  });
});
