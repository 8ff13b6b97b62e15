import { randomBytes } from 'node:crypto';
import { CacheValueFormat, COMPRESS_ABOVE_BYTES, decodeCacheValue, encodeCacheValue } from './cache-value.codec';

/** A chat completion of about `bytes` bytes, its content words that repeat as answers' do. */
const json = (bytes: number) => {
  const words = ['cache', 'tenant', 'gateway', 'answer', 'model', 'token'];
  const content: string[] = [];
  for (let i = 0, length = 0; length < bytes; i++) length += content[content.push(`${words[(i * 7) % words.length]} ${i}`) - 1].length + 1;
  const answer = { id: 'chatcmpl-1', choices: [{ index: 0, message: { role: 'assistant', content: content.join(' ') } }] };
  return new Uint8Array(Buffer.from(JSON.stringify(answer)));
};
const same = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.from(a).equals(Buffer.from(b));

describe('cache value codec', () => {
  it('stores small values as they are (however well they would compress), behind a format byte', async () => {
    const small = new Uint8Array(Buffer.from('a'.repeat(COMPRESS_ABOVE_BYTES)));
    const stored = await encodeCacheValue(small);
    expect(stored[0]).toBe(CacheValueFormat.raw);
    expect(stored.byteLength).toBe(small.byteLength + 1);
    expect(same(await decodeCacheValue(stored), small)).toBe(true);
  });

  it.each([2_000, 50_000, 500_000])('compresses a %i-byte JSON answer, and gives it back byte for byte', async (size) => {
    const value = json(size);
    const stored = await encodeCacheValue(value);
    expect(stored[0]).toBe(CacheValueFormat.brotli);
    expect(stored.byteLength).toBeLessThan(value.byteLength / 3);
    expect(same(await decodeCacheValue(stored), value)).toBe(true);
  });

  it('keeps a value raw when compressing does not make it smaller', async () => {
    const noise = new Uint8Array(randomBytes(100_000));
    const stored = await encodeCacheValue(noise);
    expect(stored[0]).toBe(CacheValueFormat.raw);
    expect(same(await decodeCacheValue(stored), noise)).toBe(true);
  });

  it('reads nothing from bytes it did not write: an unknown format, a damaged body, no bytes at all', async () => {
    const stored = await encodeCacheValue(json(5_000));
    expect(await decodeCacheValue(Uint8Array.from([7, ...stored.subarray(1)]))).toBeUndefined();
    expect(await decodeCacheValue(stored.subarray(0, stored.byteLength / 2))).toBeUndefined();
    expect(await decodeCacheValue(new Uint8Array(0))).toBeUndefined();
  });

  it('gives back plain Uint8Arrays', async () => {
    for (const value of [json(100), json(5_000)]) {
      const got = await decodeCacheValue(await encodeCacheValue(value));
      expect(Object.getPrototypeOf(got)).toBe(Uint8Array.prototype);
    }
  });
});
