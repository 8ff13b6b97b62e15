import { randomBytes } from 'node:crypto';
import { describeResponseCacheContract } from './response-cache.contract.mock';
import { MemoryResponseCache } from './memory-response.cache';

describeResponseCacheContract('MemoryResponseCache', () => new MemoryResponseCache());

describe('MemoryResponseCache', () => {
  const tenantId = 'acme';
  const model = 'chat';
  // Random bytes do not compress, so each entry is stored at its size (plus a format byte).
  const kb = (first: number) => {
    const value = new Uint8Array(randomBytes(1024));
    value[0] = first;
    return value;
  };

  it('is bounded in bytes: the least recently used entries go first, and are counted as evictions', async () => {
    const cache = new MemoryResponseCache(3 * 1024 + 64);
    await cache.set({ tenantId, model, key: 'one' }, kb(1), 60_000);
    await cache.set({ tenantId, model, key: 'two' }, kb(2), 60_000);
    await cache.set({ tenantId, model, key: 'three' }, kb(3), 60_000);
    await cache.get({ tenantId, model, key: 'one' });
    expect(cache.stats().evictions).toBe(0);
    await cache.set({ tenantId, model, key: 'four' }, kb(4), 60_000);
    expect(cache.bytes).toBeLessThanOrEqual(3 * 1024 + 64);
    expect(await cache.get({ tenantId, model, key: 'two' })).toBeUndefined();
    expect((await cache.get({ tenantId, model, key: 'one' }))?.[0]).toBe(1);
    expect((await cache.get({ tenantId, model, key: 'four' }))?.[0]).toBe(4);
    expect(cache.stats()).toEqual({ entries: 3, bytes: cache.bytes, evictions: 1 });
  });

  it('keeps no entry larger than its bound, nor the older value under that key', async () => {
    const cache = new MemoryResponseCache(2 * 1024);
    await cache.set({ tenantId, model, key: 'k' }, kb(1), 60_000);
    await cache.set({ tenantId, model, key: 'k' }, new Uint8Array(randomBytes(4 * 1024)), 60_000);
    expect(await cache.get({ tenantId, model, key: 'k' })).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it('counts bytes as stored: a large answer compressed, a small one as it is', async () => {
    const cache = new MemoryResponseCache();
    const answer = Buffer.from(JSON.stringify({ choices: [{ message: { content: 'The same sentence, again. '.repeat(400) } }] }));
    await cache.set({ tenantId, model, key: 'large' }, answer, 60_000);
    const large = cache.stats().bytes;
    expect(large).toBeLessThan(answer.byteLength / 10);
    await cache.set({ tenantId, model, key: 'small' }, Buffer.from('{"ok":true}'), 60_000);
    expect(cache.stats().bytes - large).toBe(1 + '{"ok":true}'.length + Buffer.byteLength('4:acme:4:chat:small'));
    expect(Buffer.from((await cache.get({ tenantId, model, key: 'large' }))!).equals(answer)).toBe(true);
    expect(cache.stats()).toMatchObject({ entries: 2, evictions: 0 });
  });

  it('does not count deletes, purges, replacements or expiries as evictions', async () => {
    const cache = new MemoryResponseCache();
    await cache.set({ tenantId, model, key: 'a' }, kb(1), 60_000);
    await cache.set({ tenantId, model, key: 'a' }, kb(2), 60_000);
    await cache.set({ tenantId, model, key: 'b' }, kb(3), 60_000);
    await cache.set({ tenantId, model, key: 'c' }, kb(4), 20);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await cache.get({ tenantId, model, key: 'c' })).toBeUndefined();
    expect(await cache.delete({ tenantId, model, key: 'a' })).toBe(true);
    expect(await cache.purge({ tenantId })).toBe(1);
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0, evictions: 0 });
  });
});
