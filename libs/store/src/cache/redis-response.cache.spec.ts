import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { startTcpProxy } from '../../../../test/support/tcp-proxy';
import { RedisConnections } from '../redis/redis-connections';
import { CacheValueFormat } from './cache-value.codec';
import { CacheUnavailableError, RedisResponseCache } from './redis-response.cache';
import { describeResponseCacheContract } from './response-cache.contract.mock';

// Runs against a real Redis: REDIS_URL, or the local default. Without one this suite fails, saying so.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = { info: () => undefined, warn: () => undefined };
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`RedisResponseCache (${REDIS_URL})`, () => {
  // A prefix per run, so runs sharing one Redis never see (or purge) each other's entries.
  const redis = new RedisConnections(REDIS_URL, quiet, `switchyard-test-${randomUUID()}`);
  const model = 'chat';

  beforeAll(async () => {
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      throw new Error(`These specs need Redis at ${REDIS_URL} (set REDIS_URL): ${(err as Error).message}`);
    }
  });
  afterAll(async () => {
    const keys = await redis.commands.keys(`${redis.prefix}:*`);
    if (keys.length > 0) await redis.commands.del(...keys);
    await redis.close();
  });

  // A generous timeout here: these assert what is stored, not how fast a loaded machine answers.
  describeResponseCacheContract('RedisResponseCache', () => new RedisResponseCache(redis, { timeoutMs: 2_000 }));

  it('stores under the tenant as hash tag, with the ttl as PX, compressed when large', async () => {
    const cache = new RedisResponseCache(redis, { timeoutMs: 2_000 });
    const tenantId = `t-${randomUUID()}`;
    const answer = bytes(JSON.stringify({ choices: [{ message: { content: 'Cached answers cost nothing. '.repeat(300) } }] }));
    await cache.set({ tenantId, model, key: 'large' }, answer, 60_000);
    await cache.set({ tenantId, model, key: 'small' }, bytes('{"ok":true}'), 60_000);
    const key = (k: string) => `${redis.prefix}:cache:${tenantId.length}:{${tenantId}}:4:chat:${k}`;
    const large = (await redis.commands.getBuffer(key('large')))!;
    expect(large[0]).toBe(CacheValueFormat.brotli);
    expect(large.byteLength).toBeLessThan(answer.byteLength / 10);
    expect(await redis.commands.getBuffer(key('small'))).toEqual(Buffer.from([CacheValueFormat.raw, ...Buffer.from('{"ok":true}')]));
    const pttl = await redis.commands.pttl(key('small'));
    expect(pttl).toBeGreaterThan(55_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    expect(Buffer.from((await cache.get({ tenantId, model, key: 'large' }))!).equals(Buffer.from(answer))).toBe(true);
  });

  it('treats a value it cannot read as a miss, and leaves it to whoever wrote it', async () => {
    const cache = new RedisResponseCache(redis, { timeoutMs: 2_000 });
    const tenantId = `t-${randomUUID()}`;
    const key = `${redis.prefix}:cache:${tenantId.length}:{${tenantId}}:4:chat:k`;
    await redis.commands.set(key, Buffer.from([9, 1, 2, 3]), 'PX', 60_000);
    expect(await cache.get({ tenantId, model, key: 'k' })).toBeUndefined();
    expect(await redis.commands.exists(key)).toBe(1);
  });

  it('purges in batches, across more keys than one SCAN returns', async () => {
    const cache = new RedisResponseCache(redis, { timeoutMs: 2_000 });
    const [a, b] = [`a-${randomUUID()}`, `b-${randomUUID()}`];
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 2_500; i++) writes.push(cache.set({ tenantId: i % 5 === 0 ? b : a, model, key: `k${i}` }, bytes(`v${i}`), 60_000));
    await Promise.all(writes);
    expect(await cache.purge({ tenantId: a })).toBe(2_000);
    expect(await redis.commands.keys(`${redis.prefix}:cache:${a.length}:{${a}}:*`)).toEqual([]);
    expect(await redis.commands.keys(`${redis.prefix}:cache:${b.length}:{${b}}:*`)).toHaveLength(500);
  });

  it("reports Redis's own figures: keys, dataset bytes and evictions", async () => {
    const cache = new RedisResponseCache(redis, { timeoutMs: 2_000 });
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0, evictions: 0 });
    await cache.set({ tenantId: `t-${randomUUID()}`, model, key: 'k' }, bytes('v'), 60_000);
    const stats = await cache.refreshStats();
    expect(stats.entries).toBeGreaterThanOrEqual(1);
    expect(stats.bytes).toBeGreaterThan(0);
    expect(stats.evictions).toBeGreaterThanOrEqual(0);
    expect(cache.stats()).toEqual(stats);
  });

  it('fails at once while Redis is unreachable, without queueing commands', async () => {
    const down = new RedisConnections('redis://127.0.0.1:1', quiet, 'switchyard-test-down');
    const cache = new RedisResponseCache(down);
    const key = { tenantId: 't', model, key: 'k' };
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await expect(cache.get(key)).rejects.toThrow(CacheUnavailableError);
      expect(performance.now() - started).toBeLessThan(150);
    }
    await expect(cache.set(key, bytes('v'), 1_000)).rejects.toThrow(CacheUnavailableError);
    await expect(cache.purge({ tenantId: 't' })).rejects.toThrow(CacheUnavailableError);
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0, evictions: 0 });
    down.commands.disconnect();
  });

  it('fails within its timeout when the connection is cut, and serves again once Redis is back', async () => {
    const target = new URL(REDIS_URL);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
    const proxied = new URL(REDIS_URL);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const through = new RedisConnections(proxied.toString(), quiet, redis.prefix);
    const cache = new RedisResponseCache(through, { timeoutMs: 100 });
    const key = { tenantId: `t-${randomUUID()}`, model, key: 'k' };
    try {
      await cache.set(key, bytes('before'), 60_000);
      await proxy.cut();
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await expect(cache.get(key)).rejects.toThrow(CacheUnavailableError);
        expect(performance.now() - started).toBeLessThan(150);
      }
      await proxy.restore();
      // ioredis reconnects on its own back-off: bounded wait for it.
      let got: Uint8Array | undefined;
      for (let i = 0; i < 100 && got === undefined; i++) {
        got = await cache.get(key).catch(() => undefined);
        if (got === undefined) await sleep(50);
      }
      expect(Buffer.from(got!).toString()).toBe('before');
    } finally {
      through.commands.disconnect();
      await proxy.close();
    }
  });

  it('gives up on a Redis that accepts connections but does not answer', async () => {
    const sockets: Socket[] = [];
    const mute = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const stalled = new RedisConnections(`redis://127.0.0.1:${(mute.address() as { port: number }).port}`, quiet, 'switchyard-test-mute');
    const cache = new RedisResponseCache(stalled, { timeoutMs: 100 });
    const started = performance.now();
    await expect(cache.get({ tenantId: 't', model, key: 'k' })).rejects.toThrow(/no answer within 100 ms/);
    expect(performance.now() - started).toBeLessThan(1_000);
    stalled.commands.disconnect();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => mute.close(resolve));
  });
});
