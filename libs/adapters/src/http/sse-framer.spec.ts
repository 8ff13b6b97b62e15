import { eachSseEvent, SseFramer } from './sse-framer';

/** Every event's data, and whether it was plain, from `bytes` fed in reads of `size` bytes. */
function framed(bytes: Buffer, size: number): { data: (string | undefined)[]; plain: boolean[]; whole: string } {
  const framer = new SseFramer(1 << 20, () => new Error('too large'));
  const data: (string | undefined)[] = [];
  const plain: boolean[] = [];
  let whole = '';
  for (let at = 0; at < bytes.length; at += size) {
    const out = framer.push(bytes.subarray(at, at + size));
    if (out === undefined) continue;
    const text = out.toString('utf8');
    whole += text;
    eachSseEvent(text, (d, start, end, p) => {
      expect(text.slice(start, end)).toMatch(/\n$/);
      data.push(d);
      plain.push(p);
    });
  }
  return { data, plain, whole };
}

describe('SseFramer', () => {
  const stream = Buffer.from('data: {"a":"héllo 🙂"}\n\n: comment\n\ndata: one\r\ndata: two\r\n\r\nevent: x\ndata: 3\n\ndata:4\n\ndata: [DONE]\n\n');

  it.each([1, 2, 3, 5, 7, 64, 1000])('gives whole events, whatever the read size (%i bytes)', (size) => {
    const { data, plain, whole } = framed(stream, size);
    expect(data).toEqual(['{"a":"héllo 🙂"}', undefined, 'one\ntwo', '3', '4', '[DONE]']);
    expect(plain).toEqual([true, false, false, false, false, true]);
    expect(whole).toBe(stream.toString('utf8'));
  });

  it('keeps an unfinished event until it ends, and refuses one past the limit', () => {
    const framer = new SseFramer(16, () => new Error('too large'));
    expect(framer.push(Buffer.from('data: 12345'))).toBeUndefined();
    expect(framer.push(Buffer.from('6\n\ndata: 7'))?.toString()).toBe('data: 123456\n\n');
    expect(() => framer.push(Buffer.from('x'.repeat(20)))).toThrow('too large');
  });

  it('skips a byte-order mark that opens the stream', () => {
    const framer = new SseFramer(1 << 20, () => new Error('too large'));
    const out = framer.push(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('data: a\n\n')]));
    expect(out?.toString('utf8')).toBe('data: a\n\n');
  });

  it('stops the walk when the visitor says so', () => {
    const seen: string[] = [];
    eachSseEvent('data: a\n\ndata: b\n\n', (d) => {
      seen.push(d!);
      return false;
    });
    expect(seen).toEqual(['a']);
  });
});
