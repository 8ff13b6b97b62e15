import { describeResponseCacheContract } from './response-cache.contract.mock';
import { MemoryResponseCache } from './memory-response.cache';

describeResponseCacheContract('MemoryResponseCache', () => new MemoryResponseCache());

describe('MemoryResponseCache', () => {
  const tenantId = 'acme';
  const kb = (fill: number) => new Uint8Array(1024).fill(fill);

  it('is bounded in bytes: the least recently used entries go first', async () => {
    const cache = new MemoryResponseCache(3 * 1024 + 64);
    await cache.set({ tenantId, key: 'one' }, kb(1), 60_000);
    await cache.set({ tenantId, key: 'two' }, kb(2), 60_000);
    await cache.set({ tenantId, key: 'three' }, kb(3), 60_000);
    await cache.get({ tenantId, key: 'one' });
    await cache.set({ tenantId, key: 'four' }, kb(4), 60_000);
    expect(cache.bytes).toBeLessThanOrEqual(3 * 1024 + 64);
    expect(await cache.get({ tenantId, key: 'two' })).toBeUndefined();
    expect((await cache.get({ tenantId, key: 'one' }))?.[0]).toBe(1);
    expect((await cache.get({ tenantId, key: 'four' }))?.[0]).toBe(4);
  });

  it('keeps no entry larger than its bound, nor the older value under that key', async () => {
    const cache = new MemoryResponseCache(2 * 1024);
    await cache.set({ tenantId, key: 'k' }, kb(1), 60_000);
    await cache.set({ tenantId, key: 'k' }, new Uint8Array(4 * 1024), 60_000);
    expect(await cache.get({ tenantId, key: 'k' })).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});
