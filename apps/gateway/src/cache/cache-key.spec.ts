import { answerDefining, canonicalJson, splitPrompt } from './cache-key';
import { CompletionAssembler, decodeAnswer, encodeAnswer, keepable, replayChunks } from './cached-answer';
import type { ChatCompletion, ChatCompletionChunk } from '@switchyard/contracts';

describe('canonicalJson', () => {
  it('is the same text whatever the key order, at every level', () => {
    const a = {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0,
      tools: [{ type: 'function', function: { name: 'f', parameters: { b: 1, a: 2 } } }],
    };
    const b = {
      tools: [{ function: { parameters: { a: 2, b: 1 }, name: 'f' }, type: 'function' }],
      temperature: 0,
      messages: [{ content: 'hi', role: 'user' }],
      model: 'm',
    };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(JSON.parse(JSON.stringify(a, null, 4)))).toBe(canonicalJson(a));
  });

  it('keeps array order, tells values apart, and leaves out undefined members', () => {
    expect(canonicalJson({ stop: ['a', 'b'] })).not.toBe(canonicalJson({ stop: ['b', 'a'] }));
    expect(canonicalJson({ t: 0 })).not.toBe(canonicalJson({ t: '0' }));
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
  });
});

describe('answerDefining', () => {
  it('drops what does not change the answer, and keeps every other member, unknown ones included', () => {
    const body = { model: 'm', messages: [], stream: true, stream_options: { include_usage: true }, user: 'u', metadata: { a: '1' }, seed: 3, top_k: 5 };
    expect(Object.keys(answerDefining(body)).sort()).toEqual(['messages', 'model', 'seed', 'top_k']);
    expect(Object.keys(answerDefining(body, new Set(['messages'])))).not.toContain('messages');
  });
});

describe('splitPrompt', () => {
  it('splits a conversation at its last user turn', () => {
    const split = splitPrompt([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: [{ type: 'text', text: 'second' }] },
    ]);
    expect(split?.last).toBe('second');
    expect(split?.before).toContain('be brief');
    expect(split?.before).not.toContain('second');
  });

  it('has no near-match form for a turn after the last user message, an image, or an empty turn', () => {
    expect(
      splitPrompt([
        { role: 'user', content: 'q' },
        { role: 'tool', content: 'r', tool_call_id: 't' },
      ]),
    ).toBeUndefined();
    expect(splitPrompt([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,' } }] }])).toBeUndefined();
    expect(splitPrompt([{ role: 'user', content: '  ' }])).toBeUndefined();
  });
});

const completion: ChatCompletion = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: 'x'.repeat(600),
        refusal: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
};

describe('a cached answer as a stream and back', () => {
  it('replays in a few chunks, and the chunks assemble to the same answer', () => {
    const chunks: ChatCompletionChunk[] = replayChunks(completion);
    expect(chunks.length).toBeLessThan(10);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: completion.usage });
    const assembler = new CompletionAssembler();
    for (const c of chunks) assembler.push(c);
    expect(assembler.completion()).toEqual(completion);
  });

  it('keeps only answers that ended on their own', () => {
    expect(keepable(completion, false)).toBe(true);
    const cut = {
      ...completion,
      choices: [{ ...completion.choices[0], message: { role: 'assistant' as const, content: 'x' }, finish_reason: 'length' as const }],
    };
    expect(keepable(cut, false)).toBe(false);
    expect(keepable(cut, true)).toBe(true);
    expect(keepable({ ...completion, choices: [{ ...completion.choices[0], finish_reason: 'content_filter' }] }, true)).toBe(false);
    expect(keepable({ ...completion, choices: [{ ...completion.choices[0], finish_reason: null }] }, true)).toBe(false);
  });
});

describe('a cache entry as bytes', () => {
  it('reads back what it wrote, newlines in the answer included, and reads damaged bytes as a miss', () => {
    const entry = { body: '{"a":"line\\nbreak"}\n{"raw":"\n"}', backend: 'b', model: 'm', tier: 'local', inputTokens: 1, outputTokens: 2, storedAt: 3 };
    expect(decodeAnswer(encodeAnswer(entry))).toEqual(entry);
    expect(decodeAnswer(new TextEncoder().encode('not an entry'))).toBeUndefined();
    expect(decodeAnswer(new TextEncoder().encode('{"backend":1}\nx'))).toBeUndefined();
  });
});
