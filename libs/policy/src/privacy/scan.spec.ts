import { PiiScanner } from './detectors';
import { egressCategories } from './egress';
import { redactPayload } from './redactor';
import { scanPayload, type ScanResult } from './scan';
import { seeded } from '../seeded.mock';

const scanner = new PiiScanner();
const scan = (value: unknown, extra: string[] = []): ScanResult => scanPayload(value, scanner, extra) as ScanResult;

describe('scanPayload', () => {
  it('reads every string at any depth, object keys included', () => {
    expect(scan({ a: { b: [{ c: 'x jane@example.com' }] } }).categories).toEqual(['email']);
    expect(scan({ metadata: { 'jane@example.com': 1 } }).categories).toEqual(['email']);
    expect(scan({ stop: ['4111 1111 1111 1111'] }).categories).toEqual(['credit_card']);
    expect(scan({ a: 1, b: true, c: null }).categories).toEqual([]);
  });

  it('walks a deeply nested value without recursion', () => {
    let deep: unknown = 'jane@example.com';
    for (let i = 0; i < 100_000; i++) deep = { x: [deep] };
    expect(scan(deep).categories).toEqual(['email']);
  });

  it('finds a value split across prompt texts, and not a whole one that runs into the next', () => {
    const split = scan({
      messages: [
        { role: 'user', content: 'write to jane.doe@' },
        { role: 'user', content: 'example.com today' },
      ],
    });
    expect(split.categories).toEqual(['email']);
    const parts = scan({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '415 555 ' },
            { type: 'text', text: '2671' },
          ],
        },
      ],
    });
    expect(parts.categories).toEqual(['phone']);
    const whole = scan({ input: ['mail jane@example.com', 'card is next'] });
    expect([...whole.hits.keys()]).toHaveLength(1);
  });

  it('scans the extra strings it is given (client headers), values between separators included', () => {
    expect(scan({ a: 'clean' }, ['req-123-45-6789']).categories).toEqual(['us_ssn']);
    expect(scan({ a: 'clean' }, ['req-42']).categories).toEqual([]);
  });

  it('reads no personal data into request ids shaped like UUIDs', () => {
    const rand = seeded(7);
    const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
    const flagged: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const id = `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(rand() * 4)]}${hex(3)}-${hex(12)}`;
      if (scan({}, [id]).categories.length > 0) flagged.push(id);
    }
    expect(flagged).toEqual([]);
  });

  it.each([
    ['an image part', { content: [{ type: 'image_url', image_url: { url: 'https://x.example/a.png' } }] }, ['image']],
    ['a data: URL anywhere', { note: 'data:image/png;base64,iVBORw0KGgo=' }, ['image']],
    ['audio', { content: [{ type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }] }, ['audio']],
    ['a file', { content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } }] }, ['file']],
    ['token ids', { input: [1, 2, 3] }, ['token_ids']],
    ['token-id arrays', { input: [[1, 2], [3]] }, ['token_ids']],
    ['plain text', { content: 'hello' }, []],
  ])('notes unscannable content: %s', (_what, value, kinds) => {
    expect(scan(value).unscannable).toEqual(kinds);
  });

  it('does not scan a data: URL payload as text', () => {
    // Base64 of a text holding an email: the payload is an encoded file, not prompt text.
    expect(scan({ url: `data:text/plain;base64,${Buffer.from('jane@example.com').toString('base64')}` }).categories).toEqual([]);
  });

  it('scans a large payload in slices and finds what sits anywhere in it', async () => {
    const big = 'lorem ipsum '.repeat(100_000) + 'jane@example.com ' + 'dolor sit '.repeat(100_000);
    const result = scanPayload({ messages: [{ role: 'user', content: big }] }, scanner);
    expect(result).toBeInstanceOf(Promise);
    expect((await result).categories).toEqual(['email']);
  });
});

describe('redactPayload', () => {
  it('replaces values in any field and keys, leaving the original untouched', () => {
    const request = { model: 'm', user: 'jane@example.com', metadata: { 'jane@example.com': 'vip' }, tools: [{ description: 'call 415 555 2671' }] };
    const redacted = redactPayload(request, scan(request))!;
    expect(redacted.value).toEqual({ model: 'm', user: '[EMAIL_1]', metadata: { '[EMAIL_1]': 'vip' }, tools: [{ description: 'call [PHONE_1]' }] });
    expect(request.user).toBe('jane@example.com');
  });

  it('replaces each piece of a split value', () => {
    const request = { messages: [{ content: 'write to jane.doe@' }, { content: 'example.com today' }] };
    const { value } = redactPayload(request, scan(request))!;
    expect(JSON.stringify(value)).not.toMatch(/jane|example\.com/);
  });
});

describe('egressCategories', () => {
  it('reads the JSON body that leaves and the client headers carried with it', () => {
    expect(egressCategories(JSON.stringify({ system: 'Reply as JSON: {"description":"for jane@example.com"}' }), [], scanner)).toEqual(['email']);
    expect(egressCategories('{"a":"clean"}', ['req-jane@example.com'], scanner)).toEqual(['email']);
    expect(egressCategories('{"a":"[EMAIL_1] is a placeholder"}', ['req-1'], scanner)).toEqual([]);
  });

  it('reads a body that is not JSON as one text', () => {
    expect(egressCategories('not json, but 4111 1111 1111 1111', [], scanner)).toEqual(['credit_card']);
  });
});
