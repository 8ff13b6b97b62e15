import { randomBytes, randomUUID } from 'node:crypto';
import type { CacheKey, ResponseCache } from './response-cache';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : Buffer.from(value).toString('utf8'));

/**
 * What every ResponseCache keeps, run by each implementation's spec (memory and Redis). Tenants
 * are fresh per test; the one purge of everything needs a store of the spec's own (Redis: a
 * prefix per run). For specs only (`*.mock.ts` is not built).
 */
export function describeResponseCacheContract(name: string, make: () => ResponseCache | Promise<ResponseCache>): void {
  describe(`${name} (ResponseCache contract)`, () => {
    const model = 'chat';
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
      await cache.set({ tenantId: a, model, key: 'k' }, body, 60_000);
      expect(text(await cache.get({ tenantId: a, model, key: 'k' }))).toBe(text(body));
      expect(await cache.get({ tenantId: a, model, key: 'other' })).toBeUndefined();
    });

    it('replaces an entry set again', async () => {
      await cache.set({ tenantId: a, model, key: 'k' }, bytes('one'), 60_000);
      await cache.set({ tenantId: a, model, key: 'k' }, bytes('two'), 60_000);
      expect(text(await cache.get({ tenantId: a, model, key: 'k' }))).toBe('two');
    });

    it('never serves an entry after its ttl', async () => {
      await cache.set({ tenantId: a, model, key: 'short' }, bytes('soon gone'), 100);
      await cache.set({ tenantId: a, model, key: 'long' }, bytes('still here'), 60_000);
      expect(text(await cache.get({ tenantId: a, model, key: 'short' }))).toBe('soon gone');
      await sleep(200);
      expect(await cache.get({ tenantId: a, model, key: 'short' })).toBeUndefined();
      expect(text(await cache.get({ tenantId: a, model, key: 'long' }))).toBe('still here');
    });

    it('deletes an entry, saying whether there was one', async () => {
      await cache.set({ tenantId: a, model, key: 'k' }, bytes('v'), 60_000);
      expect(await cache.delete({ tenantId: a, model, key: 'k' })).toBe(true);
      expect(await cache.get({ tenantId: a, model, key: 'k' })).toBeUndefined();
      expect(await cache.delete({ tenantId: a, model, key: 'k' })).toBe(false);
    });

    it("never lets one tenant read, replace or delete another tenant's entry", async () => {
      const key = 'same-request-hash';
      await cache.set({ tenantId: a, model, key }, bytes("a's answer"), 60_000);
      expect(await cache.get({ tenantId: b, model, key })).toBeUndefined();
      await cache.set({ tenantId: b, model, key }, bytes("b's answer"), 60_000);
      expect(await cache.delete({ tenantId: b, model, key })).toBe(true);
      expect(text(await cache.get({ tenantId: a, model, key }))).toBe("a's answer");
    });

    it('keeps tenant and key apart whatever characters they hold', async () => {
      const one: CacheKey = { tenantId: a, model, key: 'x:y' };
      const two: CacheKey = { tenantId: `${a}:x`, model, key: 'y' };
      await cache.set(one, bytes('one'), 60_000);
      expect(await cache.get(two)).toBeUndefined();
      await cache.set(two, bytes('two'), 60_000);
      expect([text(await cache.get(one)), text(await cache.get(two))]).toEqual(['one', 'two']);
    });

    it('keeps models apart within a tenant, whatever characters they hold', async () => {
      const one: CacheKey = { tenantId: a, model: 'm', key: 'x:y' };
      const two: CacheKey = { tenantId: a, model: 'm:x', key: 'y' };
      const three: CacheKey = { tenantId: `${a}:1:m`, model: 'x', key: 'y' };
      await cache.set(one, bytes('one'), 60_000);
      expect(await cache.get(two)).toBeUndefined();
      expect(await cache.get(three)).toBeUndefined();
      await cache.set(two, bytes('two'), 60_000);
      await cache.set(three, bytes('three'), 60_000);
      expect([text(await cache.get(one)), text(await cache.get(two)), text(await cache.get(three))]).toEqual(['one', 'two', 'three']);
    });

    it('gives back large and binary values byte for byte (compressed or not)', async () => {
      const json = bytes(JSON.stringify({ choices: Array.from({ length: 2_000 }, (_, i) => ({ index: i, text: `answer ${i % 7}` })) }));
      const noise = new Uint8Array(randomBytes(200 * 1024));
      const everyByte = Uint8Array.from({ length: 4096 }, (_, i) => i % 256);
      for (const [key, value] of [
        ['json', json],
        ['noise', noise],
        ['every-byte', everyByte],
        ['empty', new Uint8Array(0)],
      ] as const) {
        await cache.set({ tenantId: a, model, key }, value, 60_000);
        const got = await cache.get({ tenantId: a, model, key });
        expect(got).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(got!).equals(Buffer.from(value))).toBe(true);
      }
    });

    it('purges by tenant, by model, by both and everything, saying how many went', async () => {
      const entries: CacheKey[] = [];
      for (const tenantId of [a, b]) for (const m of ['chat', 'code']) for (const key of ['k1', 'k2']) entries.push({ tenantId, model: m, key });
      const fill = () => Promise.all(entries.map((k) => cache.set(k, bytes(`${k.tenantId}/${k.model}/${k.key}`), 60_000)));
      const present = async () => (await Promise.all(entries.map((k) => cache.get(k)))).map((v) => v !== undefined);

      await fill();
      expect(await cache.purge({ tenantId: a, model: 'chat' })).toBe(2);
      expect(await present()).toEqual([false, false, true, true, true, true, true, true]);
      expect(await cache.purge({ tenantId: a })).toBe(2);
      expect(await present()).toEqual([false, false, false, false, true, true, true, true]);
      expect(await cache.purge({ tenantId: a })).toBe(0);

      await fill();
      expect(await cache.purge({ model: 'code' })).toBeGreaterThanOrEqual(4);
      expect(await present()).toEqual([true, true, false, false, true, true, false, false]);

      await fill();
      expect(await cache.purge({})).toBeGreaterThanOrEqual(entries.length);
      expect(await present()).toEqual(entries.map(() => false));
    });

    it('purges only the named tenant and model, whatever characters they hold', async () => {
      const star: CacheKey = { tenantId: `${a}*`, model: 'm?[x]', key: 'k' };
      const plain: CacheKey = { tenantId: `${a}x`, model: 'm?[x]', key: 'k' };
      const near: CacheKey = { tenantId: `${a}*`, model: 'mo[x]', key: 'k' };
      const colon: CacheKey = { tenantId: `${a}*`, model: 'm?[x]:k', key: 'k' };
      for (const k of [star, plain, near, colon]) await cache.set(k, bytes('v'), 60_000);
      expect(await cache.purge({ tenantId: star.tenantId, model: star.model })).toBe(1);
      expect(await cache.get(star)).toBeUndefined();
      for (const k of [plain, near, colon]) expect(text(await cache.get(k))).toBe('v');
      expect(await cache.purge({ tenantId: star.tenantId })).toBe(2);
      expect(text(await cache.get(plain))).toBe('v');
    });

    it('keeps every entry of many set at once', async () => {
      const keys = Array.from({ length: 50 }, (_, i) => ({ tenantId: i % 2 ? a : b, model, key: `k${i}` }));
      await Promise.all(keys.map((k) => cache.set(k, bytes(`${k.tenantId}/${k.key}`), 60_000)));
      const got = await Promise.all(keys.map((k) => cache.get(k)));
      expect(got.map(text)).toEqual(keys.map((k) => `${k.tenantId}/${k.key}`));
    });

    it('refuses a ttl that is not a positive integer', async () => {
      await expect(cache.set({ tenantId: a, model, key: 'k' }, bytes('v'), 0)).rejects.toThrow(RangeError);
      await expect(cache.set({ tenantId: a, model, key: 'k' }, bytes('v'), 1.5)).rejects.toThrow(RangeError);
    });
  });
}
