import { randomUUID } from 'node:crypto';
import type { CacheKey, ResponseCache } from './response-cache';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : Buffer.from(value).toString('utf8'));

/**
 * What every ResponseCache keeps, run by each implementation's spec (memory now; the Redis one
 * runs the same). Tenants are fresh per test, so a shared Redis needs no cleanup. For specs only
 * (`*.mock.ts` is not built).
 */
export function describeResponseCacheContract(name: string, make: () => ResponseCache | Promise<ResponseCache>): void {
  describe(`${name} (ResponseCache contract)`, () => {
    let cache: ResponseCache;
    let a: string;
    let b: string;
    beforeEach(async () => {
      cache = await make();
      const id = randomUUID();
      [a, b] = [`a-${id}`, `b-${id}`];
    });

    it('gives back what was set, byte for byte, and nothing for a key never set', async () => {
      const body = bytes('{"choices":[{"message":{"content":"héllo ✓"}}]}');
      await cache.set({ tenantId: a, key: 'k' }, body, 60_000);
      expect(text(await cache.get({ tenantId: a, key: 'k' }))).toBe(text(body));
      expect(await cache.get({ tenantId: a, key: 'other' })).toBeUndefined();
    });

    it('replaces an entry set again', async () => {
      await cache.set({ tenantId: a, key: 'k' }, bytes('one'), 60_000);
      await cache.set({ tenantId: a, key: 'k' }, bytes('two'), 60_000);
      expect(text(await cache.get({ tenantId: a, key: 'k' }))).toBe('two');
    });

    it('never serves an entry after its ttl', async () => {
      await cache.set({ tenantId: a, key: 'short' }, bytes('soon gone'), 100);
      await cache.set({ tenantId: a, key: 'long' }, bytes('still here'), 60_000);
      expect(text(await cache.get({ tenantId: a, key: 'short' }))).toBe('soon gone');
      await sleep(200);
      expect(await cache.get({ tenantId: a, key: 'short' })).toBeUndefined();
      expect(text(await cache.get({ tenantId: a, key: 'long' }))).toBe('still here');
    });

    it('deletes an entry, saying whether there was one', async () => {
      await cache.set({ tenantId: a, key: 'k' }, bytes('v'), 60_000);
      expect(await cache.delete({ tenantId: a, key: 'k' })).toBe(true);
      expect(await cache.get({ tenantId: a, key: 'k' })).toBeUndefined();
      expect(await cache.delete({ tenantId: a, key: 'k' })).toBe(false);
    });

    it("never lets one tenant read, replace or delete another tenant's entry", async () => {
      const key = 'same-request-hash';
      await cache.set({ tenantId: a, key }, bytes("a's answer"), 60_000);
      expect(await cache.get({ tenantId: b, key })).toBeUndefined();
      await cache.set({ tenantId: b, key }, bytes("b's answer"), 60_000);
      expect(await cache.delete({ tenantId: b, key })).toBe(true);
      expect(text(await cache.get({ tenantId: a, key }))).toBe("a's answer");
    });

    it('keeps tenant and key apart whatever characters they hold', async () => {
      const one: CacheKey = { tenantId: a, key: 'x:y' };
      const two: CacheKey = { tenantId: `${a}:x`, key: 'y' };
      await cache.set(one, bytes('one'), 60_000);
      expect(await cache.get(two)).toBeUndefined();
      await cache.set(two, bytes('two'), 60_000);
      expect([text(await cache.get(one)), text(await cache.get(two))]).toEqual(['one', 'two']);
    });

    it('keeps every entry of many set at once', async () => {
      const keys = Array.from({ length: 50 }, (_, i) => ({ tenantId: i % 2 ? a : b, key: `k${i}` }));
      await Promise.all(keys.map((k) => cache.set(k, bytes(`${k.tenantId}/${k.key}`), 60_000)));
      const got = await Promise.all(keys.map((k) => cache.get(k)));
      expect(got.map(text)).toEqual(keys.map((k) => `${k.tenantId}/${k.key}`));
    });

    it('refuses a ttl that is not a positive integer', async () => {
      await expect(cache.set({ tenantId: a, key: 'k' }, bytes('v'), 0)).rejects.toThrow(RangeError);
      await expect(cache.set({ tenantId: a, key: 'k' }, bytes('v'), 1.5)).rejects.toThrow(RangeError);
    });
  });
}
