import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import { UpstreamError, type AnthropicStreamEvent, type ChatCompletionChunk, type ChatCompletionChunkChoice, type Usage } from '@switchyard/contracts';
import { AnthropicStreamDecoder, AnthropicStreamEncoder } from './anthropic-stream.mapper';

// The stream pair: the decoder (a backend's events -> canonical chunks) is specified with the adapter
// in anthropic.adapter.spec.ts; here the encoder, and both round trips through the pair.

const CREATED = 1_700_000_000;
const base = { id: 'chatcmpl-abc123', object: 'chat.completion.chunk', created: CREATED, model: 'gpt-4o' } as const;
const chunk = (delta: ChatCompletionChunkChoice['delta'], finish_reason: ChatCompletionChunkChoice['finish_reason'] = null): ChatCompletionChunk => ({
  ...base,
  choices: [{ index: 0, delta, finish_reason, logprobs: null }],
});
const usageChunk = (usage: Usage): ChatCompletionChunk => ({ ...base, choices: [], usage });
const toolStart = (index: number, id: string, name: string) => chunk({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] });
const toolArgs = (index: number, args: string) => chunk({ tool_calls: [{ index, function: { arguments: args } }] });

/** Everything the encoder says for a whole canonical stream. */
function encode(chunks: ChatCompletionChunk[], encoder = new AnthropicStreamEncoder('fallback-model')): AnthropicStreamEvent[] {
  return [...chunks.flatMap((c) => encoder.push(c)), ...encoder.end()];
}

/** Anthropic events back to canonical chunks, as the adapter reads a backend. */
function decode(events: AnthropicStreamEvent[]): ChatCompletionChunk[] {
  const decoder = new AnthropicStreamDecoder('claude', 'claude-x', CREATED);
  const out = events.flatMap((e) => decoder.push(JSON.stringify(e), e.type));
  decoder.end();
  return out;
}

/** What Anthropic's own SDK assembles from the events (its stream helper reads them as JSON lines). */
async function sdkMessage(events: AnthropicStreamEvent[]) {
  const bytes = new TextEncoder().encode(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return MessageStream.fromReadableStream(body).finalMessage();
}

/** A canonical stream as an OpenAI backend sends it: text, two tool calls in fragments, finish, usage. */
const textThenTools: ChatCompletionChunk[] = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Let me check' }),
  chunk({ content: ' both.' }),
  toolStart(0, 'call_1', 'get_weather'),
  toolArgs(0, '{"loca'),
  toolArgs(0, 'tion": "SF"}'),
  toolStart(1, 'call_2', 'get_time'),
  toolArgs(1, '{}'),
  chunk({}, 'tool_calls'),
  usageChunk({ prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 }),
];

describe('AnthropicStreamEncoder', () => {
  it('text then two tool calls: the exact event sequence', () => {
    const encoder = new AnthropicStreamEncoder('fallback-model');
    const perChunk = textThenTools.map((c) => encoder.push(c));
    const atEnd = encoder.end();

    expect([...perChunk.flat(), ...atEnd]).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'abc123',
          type: 'message',
          role: 'assistant',
          model: 'gpt-4o',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me check' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' both.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"loca' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'tion": "SF"}' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: 30, output_tokens: 12 } },
      { type: 'message_stop' },
    ]);
    // The finish closes the last block at once; the message waits for the usage and the end.
    expect(perChunk[8]).toEqual([{ type: 'content_block_stop', index: 2 }]);
    expect(perChunk[9]).toEqual([]);
    expect(atEnd.map((e) => e.type)).toEqual(['message_delta', 'message_stop']);
    expect(encoder.done).toBe(true);
    expect(encoder.push(chunk({ content: 'late' }))).toEqual([]);
    expect(encoder.end()).toEqual([]);
  });

  it("Anthropic's SDK assembles the same message from it", async () => {
    await expect(sdkMessage(encode(textThenTools))).resolves.toMatchObject({
      id: 'abc123',
      model: 'gpt-4o',
      content: [
        { type: 'text', text: 'Let me check both.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'SF' } },
        { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 30, output_tokens: 12 },
    });
  });

  it('tool-call arguments split into one-character chunks, across several calls', async () => {
    const args = ['{"location":"San Francisco, CA","unit":"celsius"}', '{"query":"weather \\"today\\"","limit":3}', '{"tz":"Europe/Paris"}'];
    const chunks = [
      chunk({ role: 'assistant', content: '' }),
      ...args.flatMap((a, i) => [toolStart(i, `call_${i}`, `tool_${i}`), ...[...a].map((ch) => toolArgs(i, ch))]),
      chunk({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 100, completion_tokens: 60, total_tokens: 160 }),
    ];
    const events = encode(chunks);

    const fragments = (index: number) =>
      events.flatMap((e) => (e.type === 'content_block_delta' && e.index === index && e.delta.type === 'input_json_delta' ? [e.delta.partial_json] : []));
    args.forEach((a, i) => {
      expect(fragments(i)).toHaveLength(a.length);
      expect(fragments(i).join('')).toBe(a);
    });
    expect(events.filter((e) => e.type === 'content_block_start')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'content_block_stop').map((e) => (e.type === 'content_block_stop' ? e.index : -1))).toEqual([0, 1, 2]);

    const message = await sdkMessage(events);
    expect(message.content).toEqual(args.map((a, i) => ({ type: 'tool_use', id: `call_${i}`, name: `tool_${i}`, input: JSON.parse(a) as unknown })));
  });

  it('a whole tool call in the finishing chunk (as Ollama sends it), after text', () => {
    const events = encode([
      chunk({ role: 'assistant', content: 'On it.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, 'stop'),
    ]);
    expect(events.slice(1)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'On it.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_9', name: 'f', input: {} } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":1}' } },
      { type: 'content_block_stop', index: 1 },
      // finished with stop, but a client runs tools on tool_use
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: 0, output_tokens: 0 } },
      { type: 'message_stop' },
    ]);
  });

  it('text after a tool call opens a new text block; a call without an id gets one', () => {
    const events = encode([chunk({ tool_calls: [{ index: 0, function: { name: 'f', arguments: '{}' } }] }), chunk({ content: 'Done.' })]);
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[1]).toMatchObject({ content_block: { type: 'tool_use', id: expect.stringMatching(/^toolu_[0-9a-f]{32}$/), name: 'f' } });
    expect(events[4]).toEqual({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } });
  });

  it.each([
    { finish: 'stop', expected: 'end_turn' },
    { finish: 'length', expected: 'max_tokens' },
    { finish: 'content_filter', expected: 'refusal' },
    { finish: null, expected: 'end_turn' }, // a stream that ended without saying why
  ] as const)('finish $finish -> stop_reason $expected', ({ finish, expected }) => {
    const events = encode([chunk({ content: 'x' }), ...(finish ? [chunk({}, finish)] : [])]);
    expect(events.find((e) => e.type === 'message_delta')).toMatchObject({ delta: { stop_reason: expected } });
  });

  it('a refusal is said as text and stops with refusal; cached tokens are counted apart', () => {
    const events = encode([
      chunk({ role: 'assistant', refusal: "I can't help with that." }, 'stop'),
      usageChunk({ prompt_tokens: 50, completion_tokens: 6, total_tokens: 56, prompt_tokens_details: { cached_tokens: 40 } }),
    ]);
    expect(events).toContainEqual({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: "I can't help with that." } });
    expect(events.find((e) => e.type === 'message_delta')).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'refusal', stop_sequence: null },
      usage: { input_tokens: 10, output_tokens: 6, cache_read_input_tokens: 40 },
    });
  });

  it('reads choice 0 only', () => {
    const other: ChatCompletionChunk = { ...base, choices: [{ index: 1, delta: { content: 'second answer' }, finish_reason: null }] };
    expect(encode([chunk({ content: 'first' }), other]).filter((e) => e.type === 'content_block_delta')).toHaveLength(1);
  });

  it('an empty stream is still one well-formed message', () => {
    expect(new AnthropicStreamEncoder('claude-x', [], 'msg_fixed').end()).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'msg_fixed',
          type: 'message',
          role: 'assistant',
          model: 'claude-x',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: 0, output_tokens: 0 } },
      { type: 'message_stop' },
    ]);
  });

  it("says stop_sequence when the finish names one of the client's stop sequences (vLLM's stop_reason)", () => {
    const finish = (stop_reason: unknown): ChatCompletionChunk => ({
      ...base,
      choices: [{ index: 0, delta: {}, finish_reason: 'stop', stop_reason } as ChatCompletionChunkChoice],
    });
    const stop = (encoder: AnthropicStreamEncoder, stop_reason: unknown) =>
      encode([chunk({ content: 'one two' }), finish(stop_reason)], encoder).find((e) => e.type === 'message_delta');
    expect(stop(new AnthropicStreamEncoder('m', ['three']), 'three')).toMatchObject({ delta: { stop_reason: 'stop_sequence', stop_sequence: 'three' } });
    expect(stop(new AnthropicStreamEncoder('m', ['three']), null)).toMatchObject({ delta: { stop_reason: 'end_turn', stop_sequence: null } });
    expect(stop(new AnthropicStreamEncoder('m'), 'three')).toMatchObject({ delta: { stop_reason: 'end_turn', stop_sequence: null } });
  });

  it('a failure after the first event ends the stream with an error event', () => {
    const encoder = new AnthropicStreamEncoder('m');
    encoder.push(chunk({ content: 'Let me think' }));
    const err = new UpstreamError({ backend: 'b', failure: 'server_error', message: 'Backend b failed mid-stream.' });
    expect(encoder.fail(err)).toEqual([{ type: 'error', error: { type: 'api_error', message: 'Backend b failed mid-stream.' } }]);
    expect(encoder.done).toBe(true);
    expect(encoder.end()).toEqual([]);
    expect(encoder.fail(err)).toEqual([]);
  });
});

// ---- round trips ----------------------------------------------------------------------------

type SseEvent = { event: string; data: AnthropicStreamEvent };
const fixtureEvents = (name: string): AnthropicStreamEvent[] =>
  (JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as SseEvent[]).map((e) => e.data);

/**
 * A backend's event stream as it comes back through the canonical model: no pings (keep-alives are
 * the transport's), no thinking blocks (no canonical form; later blocks move up), no empty argument
 * fragments; message_start knows no usage yet, message_delta carries all of it (cache counts
 * folded into input, as the canonical usage holds them).
 */
function normalised(events: AnthropicStreamEvent[]): AnthropicStreamEvent[] {
  const start = events.find((e) => e.type === 'message_start');
  const u = start?.type === 'message_start' ? start.message.usage : undefined;
  const input = (u?.input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0) + (u?.cache_read_input_tokens ?? 0);
  const dropped = new Set<number>();
  const moved = (index: number) => index - [...dropped].filter((d) => d < index).length;
  const out: AnthropicStreamEvent[] = [];
  for (const e of events) {
    if (e.type === 'ping') continue;
    if (e.type === 'content_block_start' && e.content_block.type === 'thinking') dropped.add(e.index);
    if ('index' in e && dropped.has(e.index)) continue;
    if (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta' && !e.delta.partial_json) continue;
    if (e.type === 'message_start') out.push({ ...e, message: { ...e.message, usage: { input_tokens: 0, output_tokens: 0 } } });
    else if (e.type === 'message_delta') out.push({ ...e, usage: { input_tokens: input, output_tokens: e.usage.output_tokens } });
    else if ('index' in e) out.push({ ...e, index: moved(e.index) });
    else out.push(e);
  }
  return out;
}

describe('stream round trips', () => {
  it.each(['stream-text.json', 'stream-tool-use.json', 'stream-max-tokens.json', 'stream-thinking.json'])('Anthropic -> canonical -> Anthropic: %s', (file) => {
    const events = fixtureEvents(file);
    expect(encode(decode(events))).toEqual(normalised(events));
  });

  it('canonical -> Anthropic -> canonical: text and tool calls come back chunk for chunk', () => {
    expect(decode(encode(textThenTools))).toEqual(textThenTools);
  });
});
