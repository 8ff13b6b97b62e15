import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, FinishReason } from '@switchyard/contracts';
import { PiiScanner } from './detectors';
import { redactPayload, redactRequest as redactWith, Redaction } from './redactor';
import { scanPayload, type ScanResult } from './scan';

const scanner = new PiiScanner();
const redactRequest = (request: ChatCompletionRequest, s: PiiScanner): Redaction | undefined => redactWith(request, scanPayload(request, s) as ScanResult);
const categoriesInTexts = (texts: string[]): string[] => (scanPayload({ input: texts }, scanner) as ScanResult).categories;
const redactTexts = (texts: string[], s: PiiScanner): string[] | undefined =>
  redactPayload({ input: texts }, scanPayload({ input: texts }, s) as ScanResult)?.value.input;
const PLACEHOLDERS = /\[(?:EMAIL|PHONE|CREDIT_CARD|IBAN|US_SSN|IP_ADDRESS|SECRET)_\d+\]/g;
/** Any trace of a placeholder: a bracket or a label. The expected texts below contain neither. */
const PLACEHOLDER_TRACE = /[[\]]|EMAIL|PHONE|CREDIT|CARD|IBAN|US_SSN|SSN|IP_ADD|ADDRESS|SECRET/;

const GITHUB = 'ghp_' + 'a1B2c3D4e5F6'.repeat(3);
const PEM = ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', '-----END PRIVATE KEY-----'].join('\n');

function userRequest(...contents: string[]): ChatCompletionRequest {
  return { model: 'gpt-4o-mini', messages: contents.map((content) => ({ role: 'user' as const, content })) };
}

function redact(request: ChatCompletionRequest): Redaction {
  const redaction = redactRequest(request, scanner);
  if (!redaction) throw new Error('expected findings');
  return redaction;
}

function completion(content: string | null, args?: string): ChatCompletion {
  return {
    id: 'c1',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          ...(args === undefined ? {} : { tool_calls: [{ id: 't1', type: 'function' as const, function: { name: 'f', arguments: args } }] }),
        },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
  };
}

function chunk(
  content: string | undefined,
  options: { index?: number; finish?: FinishReason; args?: string; call?: number; id?: string } = {},
): ChatCompletionChunk {
  const delta: ChatCompletionChunk['choices'][number]['delta'] = {};
  if (content !== undefined) delta.content = content;
  if (options.args !== undefined) delta.tool_calls = [{ index: options.call ?? 0, function: { arguments: options.args } }];
  return {
    id: options.id ?? 'chunk-1',
    object: 'chat.completion.chunk',
    created: 7,
    model: 'm',
    choices: [{ index: options.index ?? 0, delta, finish_reason: options.finish ?? null }],
  };
}

/** Placeholders of a redacted text, distinct, in order of first appearance. */
function placeholdersOf(text: string): string[] {
  return [...new Set(text.match(PLACEHOLDERS) ?? [])];
}

/** Streams `pieces` as content deltas (then a finish chunk, unless `finish` is false, then flush) and returns every emitted delta. */
function streamContent(redaction: Redaction, pieces: string[], finish = true): string[] {
  const restorer = redaction.streamRestorer();
  const emitted: ChatCompletionChunk[] = [];
  for (const piece of pieces) emitted.push(...restorer.push(chunk(piece)));
  if (finish) emitted.push(...restorer.push(chunk(undefined, { finish: 'stop' })));
  emitted.push(...restorer.flush());
  return emitted.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? ''));
}

function splits(text: string): string[][] {
  const out: string[][] = [];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

/**
 * [name, user text, the values it holds in order of first appearance, a model answer echoing
 *  placeholders: answer(p) uses p[i] for the i-th value]
 */
const ROUND_TRIPS: [string, string, string[], (p: string[]) => string][] = [
  ['one email', 'Write to jane@example.com about it.', ['jane@example.com'], (p) => `Sure, I will write to ${p[0]}.`],
  ['the same email twice', 'From jane@example.com to jane@example.com', ['jane@example.com'], (p) => `${p[0]} wrote to ${p[0]}`],
  [
    'several categories',
    'Jane (jane@example.com, 555-123-4567) paid with 4111 1111 1111 1111 from 10.0.0.1.',
    ['jane@example.com', '555-123-4567', '4111 1111 1111 1111', '10.0.0.1'],
    (p) => `Contact: ${p[0]}, phone ${p[1]}. Card ${p[2]} used from ${p[3]}.`,
  ],
  [
    'two values of one category',
    'Move from DE89 3704 0044 0532 0130 00 to GB82 WEST 1234 5698 7654 32',
    ['DE89 3704 0044 0532 0130 00', 'GB82 WEST 1234 5698 7654 32'],
    (p) => `${p[1]} receives from ${p[0]}`,
  ],
  ['a placeholder at the very start and end', 'ssn 123-45-6789 ip 2001:db8::1', ['123-45-6789', '2001:db8::1'], (p) => `${p[0]}${p[1]}`],
  ['adjacent placeholders', `key ${GITHUB} and +44 20 7946 0958`, [GITHUB, '+44 20 7946 0958'], (p) => `${p[1]}${p[0]}${p[1]}`],
  ['a multi-line secret', `my key:\n${PEM}\nthanks`, [PEM], (p) => `Do not share ${p[0]} with anyone.`],
];

describe('redactRequest', () => {
  it('returns undefined when nothing is found', () => {
    expect(redactRequest(userRequest('Hello on 2024-01-15, v1.2.3'), scanner)).toBeUndefined();
    expect(redactRequest({ model: 'm', messages: [] }, scanner)).toBeUndefined();
  });

  it('replaces values with stable placeholders, numbered per category, and reports categories and count', () => {
    const request = userRequest('a@x.io, b@x.io and 555-123-4567', 'again a@x.io; card 4111111111111111');
    const redaction = redact(request);
    expect(redaction.request.messages.map((m) => m.content)).toEqual(['[EMAIL_1], [EMAIL_2] and [PHONE_1]', 'again [EMAIL_1]; card [CREDIT_CARD_1]']);
    expect(redaction.categories).toEqual(['email', 'phone', 'credit_card']);
    expect(redaction.count).toBe(4);
  });

  it('never mutates the original request', () => {
    const request: ChatCompletionRequest = {
      model: 'm',
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'I am a@x.io' },
            { type: 'image_url', image_url: { url: 'https://img' } },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{"ip":"10.0.0.1"}' } }] },
        { role: 'tool', tool_call_id: 't', content: 'ok for 555-123-4567' },
      ],
    };
    const before = structuredClone(request);
    const redaction = redact(request);
    expect(request).toEqual(before);
    expect(redaction.request).not.toBe(request);
    expect(redaction.request.temperature).toBe(0.2);
    expect(redaction.request.messages[1].content).toEqual([
      { type: 'text', text: 'I am [EMAIL_1]' },
      { type: 'image_url', image_url: { url: 'https://img' } },
    ]);
    expect(redaction.request.messages[2].tool_calls![0].function.arguments).toBe('{"ip":"[IP_ADDRESS_1]"}');
    expect(redaction.request.messages[3].content).toBe('ok for [PHONE_1]');
    expect(redaction.categories).toEqual(['email', 'phone', 'ip_address']);
  });

  it('does not reuse a placeholder the request already contains, and leaves an echo of it alone', () => {
    const redaction = redact(userRequest('Earlier I wrote [EMAIL_1] literally; my mail is me@x.io'));
    expect(redaction.request.messages[0].content).toBe('Earlier I wrote [EMAIL_1] literally; my mail is [EMAIL_2]');
    expect(redaction.restoreCompletion(completion('[EMAIL_1] vs [EMAIL_2]')).choices[0].message.content).toBe('[EMAIL_1] vs me@x.io');
  });

  it('records JSON-escaped values in tool-call arguments decoded, and restores them per context', () => {
    const args = JSON.stringify({ key: PEM, note: 'line\nadmin@x.io' });
    const request: ChatCompletionRequest = {
      model: 'm',
      messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'store', arguments: args } }] }],
    };
    const redaction = redact(request);
    const redactedArgs = redaction.request.messages[0].tool_calls![0].function.arguments;
    expect(JSON.parse(redactedArgs)).toEqual({ key: '[SECRET_1]', note: 'line\n[EMAIL_1]' });
    const answer = redaction.restoreCompletion(completion('key [SECRET_1] for [EMAIL_1]', '{"k":"[SECRET_1]","to":"[EMAIL_1]"}'));
    expect(answer.choices[0].message.content).toBe(`key ${PEM} for admin@x.io`);
    expect(JSON.parse(answer.choices[0].message.tool_calls![0].function.arguments)).toEqual({ k: PEM, to: 'admin@x.io' });
  });
});

describe('redactTexts (embeddings input)', () => {
  const scanner = new PiiScanner();

  it('replaces each finding with a stable placeholder across texts, and says which categories it saw', () => {
    expect(categoriesInTexts(['mail jane@example.com', 'card 4111 1111 1111 1111', 'again jane@example.com'])).toEqual(['email', 'credit_card']);
    expect(redactTexts(['mail jane@example.com', 'card 4111 1111 1111 1111', 'again jane@example.com'], scanner)).toEqual([
      'mail [EMAIL_1]',
      'card [CREDIT_CARD_1]',
      'again [EMAIL_1]',
    ]);
  });

  it('never issues a placeholder the texts already contain', () => {
    expect(redactTexts(['[EMAIL_1] is taken', 'bob@example.com'], scanner)).toEqual(['[EMAIL_1] is taken', '[EMAIL_2]']);
  });

  it('answers undefined (and no categories) when nothing is found', () => {
    expect(redactTexts(['nothing here', ''], scanner)).toBeUndefined();
    expect(categoriesInTexts(['nothing here'])).toEqual([]);
  });
});

describe('restoreCompletion', () => {
  it('restores content and tool-call arguments in place, leaving unknown placeholders', () => {
    const redaction = redact(userRequest('I am a@x.io at 10.0.0.1'));
    const answer = completion('Hi [EMAIL_1] ([IP_ADDRESS_1]); not [EMAIL_9] or [email_1]', '{"to":"[EMAIL_1]"}');
    expect(redaction.restoreCompletion(answer)).toBe(answer);
    expect(answer.choices[0].message.content).toBe('Hi a@x.io (10.0.0.1); not [EMAIL_9] or [email_1]');
    expect(answer.choices[0].message.tool_calls![0].function.arguments).toBe('{"to":"a@x.io"}');
  });

  it('leaves null content alone', () => {
    const redaction = redact(userRequest('a@x.io'));
    expect(redaction.restoreCompletion(completion(null)).choices[0].message.content).toBeNull();
  });
});

describe.each(ROUND_TRIPS)('round trip: %s', (_name, text, values, answer) => {
  const redaction = redact(userRequest(text));
  const redacted = redaction.request.messages[0].content as string;
  const placeholders = placeholdersOf(redacted);
  const echoed = answer(placeholders);
  const expected = answer(values);

  it('redacts every value and nothing else', () => {
    expect(placeholders).toHaveLength(values.length);
    expect(redaction.count).toBe(values.length);
    for (const value of values) expect(redacted).not.toContain(value);
    let restored = redacted;
    placeholders.forEach((p, i) => (restored = restored.split(p).join(values[i])));
    expect(restored).toBe(text);
  });

  it('restores a whole answer', () => {
    expect(redaction.restoreCompletion(completion(echoed)).choices[0].message.content).toBe(expected);
  });

  it.each(splits(echoed).map((pieces) => [pieces[0].length, pieces] as const))('restores a stream split in two at %i', (_at, pieces) => {
    const deltas = streamContent(redaction, pieces);
    expect(deltas.join('')).toBe(expected);
    for (const delta of deltas) expect(delta).not.toMatch(PLACEHOLDER_TRACE);
  });

  it('restores a stream split into 1-character chunks, with and without a finish chunk', () => {
    for (const finish of [true, false]) {
      const deltas = streamContent(redaction, [...echoed], finish);
      expect(deltas.join('')).toBe(expected);
      for (const delta of deltas) expect(delta).not.toMatch(PLACEHOLDER_TRACE);
    }
  });

  it('restores streamed tool-call arguments split at every boundary', () => {
    const args = JSON.stringify({ text: echoed });
    for (let i = 1; i < args.length; i++) {
      const restorer = redaction.streamRestorer();
      const out = [
        ...restorer.push(chunk(undefined, { args: args.slice(0, i) })),
        ...restorer.push(chunk(undefined, { args: args.slice(i) })),
        ...restorer.push(chunk(undefined, { finish: 'tool_calls' })),
        ...restorer.flush(),
      ];
      const deltas = out.flatMap((c) => c.choices.flatMap((ch) => (ch.delta.tool_calls ?? []).map((t) => t.function?.arguments ?? '')));
      expect(JSON.parse(deltas.join(''))).toEqual({ text: expected });
      for (const delta of deltas) expect(delta).not.toMatch(/EMAIL|PHONE|CARD|IBAN|SSN|ADDRESS|SECRET/);
    }
  });
});

describe('streamRestorer', () => {
  const redaction = redact(userRequest('mail a@x.io or b@x.io'));

  it('holds back a possible placeholder and emits it with the next chunk', () => {
    const restorer = redaction.streamRestorer();
    expect(restorer.push(chunk('Hi [EMA')).map((c) => c.choices[0].delta.content)).toEqual(['Hi ']);
    expect(restorer.push(chunk('IL_1]!')).map((c) => c.choices[0].delta.content)).toEqual(['a@x.io!']);
    expect(restorer.flush()).toEqual([]);
  });

  it('handles `[` + `EMAIL_2` + `]`, dropping chunks that only held text', () => {
    const restorer = redaction.streamRestorer();
    expect(restorer.push(chunk('['))).toEqual([]);
    expect(restorer.push(chunk('EMAIL_2'))).toEqual([]);
    expect(restorer.push(chunk(']')).map((c) => c.choices[0].delta.content)).toEqual(['b@x.io']);
  });

  it.each([
    ['a bracket not starting a placeholder', ['see a[0] and [x', 'y]'], ['see a[0] and [x', 'y]']],
    ['a markdown link', ['[docs', '](http://x)'], ['[docs', '](http://x)']],
    ['a prefix that turns out unknown', ['[EMAIL_1', '0] ok'], ['', '[EMAIL_10] ok']],
    ['a placeholder of another category', ['[PHONE_1]'], ['[PHONE_1]']],
    ['a lone bracket at the end', ['a [', 'b'], ['a ', '[b']],
  ])('emits %s without waiting', (_name, pieces, expected) => {
    const restorer = redaction.streamRestorer();
    const deltas = pieces.map((piece) =>
      restorer
        .push(chunk(piece))
        .map((c) => c.choices[0].delta.content ?? '')
        .join(''),
    );
    expect(deltas).toEqual(expected);
    expect(restorer.flush()).toEqual([]);
  });

  it('prepends held text to the finish chunk of that choice', () => {
    const restorer = redaction.streamRestorer();
    restorer.push(chunk('end [EMAIL'));
    const [finish] = restorer.push(chunk(undefined, { finish: 'stop' }));
    expect(finish.choices[0]).toEqual({ index: 0, delta: { content: '[EMAIL' }, finish_reason: 'stop' });
    expect(restorer.flush()).toEqual([]);
  });

  it('flushes held text as one chunk cloned from the last chunk', () => {
    const restorer = redaction.streamRestorer();
    restorer.push(chunk('a [EM', { id: 'x1' }));
    restorer.push(chunk('[EMAIL_', { index: 1, id: 'x2' }));
    expect(restorer.flush()).toEqual([
      {
        id: 'x2',
        object: 'chat.completion.chunk',
        created: 7,
        model: 'm',
        choices: [
          { index: 0, delta: { content: '[EM' }, finish_reason: null },
          { index: 1, delta: { content: '[EMAIL_' }, finish_reason: null },
        ],
      },
    ]);
    expect(restorer.flush()).toEqual([]);
  });

  it('keeps choices apart', () => {
    const restorer = redaction.streamRestorer();
    const out = [
      ...restorer.push(chunk('A: [EMA', { index: 0 })),
      ...restorer.push(chunk('B: [EMAIL_2', { index: 1 })),
      ...restorer.push(chunk('IL_2]', { index: 0 })),
      ...restorer.push(chunk('] done', { index: 1 })),
      ...restorer.push(chunk(undefined, { index: 0, finish: 'stop' })),
      ...restorer.push(chunk(undefined, { index: 1, finish: 'stop' })),
      ...restorer.flush(),
    ];
    const byChoice = (index: number) =>
      out
        .flatMap((c) => c.choices)
        .filter((c) => c.index === index)
        .map((c) => c.delta.content ?? '')
        .join('');
    expect(byChoice(0)).toBe('A: b@x.io');
    expect(byChoice(1)).toBe('B: b@x.io done');
  });

  it('keeps tool calls apart and flushes held arguments at finish', () => {
    const restorer = redaction.streamRestorer();
    const out = [
      ...restorer.push(chunk(undefined, { call: 0, args: '{"to":"[EMAIL' })),
      ...restorer.push(chunk(undefined, { call: 1, args: '{"cc":"[EMAIL_2' })),
      ...restorer.push(chunk(undefined, { call: 0, args: '_1]"}' })),
      ...restorer.push(chunk(undefined, { finish: 'tool_calls' })),
    ];
    const byCall = (index: number) =>
      out
        .flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []))
        .filter((t) => t.index === index)
        .map((t) => t.function?.arguments ?? '')
        .join('');
    expect(byCall(0)).toBe('{"to":"a@x.io"}');
    expect(byCall(1)).toBe('{"cc":"[EMAIL_2'); // the stream ended inside it: emitted as is
    expect(restorer.flush()).toEqual([]);
  });

  it('passes chunks without choices (usage) through', () => {
    const restorer = redaction.streamRestorer();
    const usage: ChatCompletionChunk = {
      id: 'u',
      object: 'chat.completion.chunk',
      created: 7,
      model: 'm',
      choices: [],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    };
    expect(restorer.push(usage)).toEqual([usage]);
  });
});
