import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { RedisConnections } from '../redis/redis-connections';
import { describeCountersContract } from './counters.contract.mock';
import { CountersUnavailableError, RedisCounters } from './redis.counters';

// Runs against a real Redis: REDIS_URL, or the local default. Without one this suite fails, saying so.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = { info: () => undefined, warn: () => undefined };

describe(`RedisCounters (${REDIS_URL})`, () => {
  // A prefix per run, so runs sharing one Redis never see each other's counters.
  const redis = new RedisConnections(REDIS_URL, quiet, `switchyard-test-${randomUUID()}`);

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

  describeCountersContract('RedisCounters', () => new RedisCounters(redis));

  it('loads its script again when Redis lost it (EVALSHA, then EVAL on NOSCRIPT)', async () => {
    const counters = new RedisCounters(redis);
    const key = `{${randomUUID()}}:rpm`;
    await counters.checkAndAdd([{ key, windowMs: 60_000, cost: 1, limit: 5 }]);
    // As after a Redis restart or SCRIPT FLUSH (not flushed here: others may share this Redis).
    const evalsha = jest.spyOn(redis.commands, 'evalsha').mockRejectedValueOnce(new Error('NOSCRIPT No matching script.'));
    const evalCalls = jest.spyOn(redis.commands, 'eval');
    const r = await counters.checkAndAdd([{ key, windowMs: 60_000, cost: 1, limit: 5 }]);
    expect(r.counters[0].remaining).toBe(3);
    expect(evalCalls).toHaveBeenCalledTimes(1);
    evalsha.mockRestore();
    evalCalls.mockRestore();
  });

  it('checks and adds all of a call in one round trip', async () => {
    const counters = new RedisCounters(redis);
    const tenant = `{${randomUUID()}}`;
    const charges = ['rpm', 'tpm', 'usd:d', 'usd:m'].map((k) => ({ key: `${tenant}:${k}`, windowMs: 60_000, cost: 1, limit: 5 }));
    await counters.checkAndAdd(charges);
    const sent = jest.spyOn(redis.commands, 'sendCommand');
    await counters.checkAndAdd(charges);
    expect(sent).toHaveBeenCalledTimes(1);
    sent.mockRestore();
  });

  it('fails at once while Redis is unreachable', async () => {
    const down = new RedisConnections('redis://127.0.0.1:1', quiet, 'switchyard-test-down');
    const counters = new RedisCounters(down);
    const started = Date.now();
    await expect(counters.checkAndAdd([{ key: 'k', windowMs: 1_000, cost: 1, limit: 1 }])).rejects.toThrow();
    await expect(counters.checkAndAdd([{ key: 'k', windowMs: 1_000, cost: 1, limit: 1 }])).rejects.toThrow(CountersUnavailableError);
    expect(Date.now() - started).toBeLessThan(5_000);
    await down.close();
  });

  it('gives up on a Redis that accepts connections but does not answer', async () => {
    const sockets: Socket[] = [];
    const mute = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const stalled = new RedisConnections(`redis://127.0.0.1:${(mute.address() as { port: number }).port}`, quiet, 'switchyard-test-mute');
    const counters = new RedisCounters(stalled, 100);
    const started = Date.now();
    await expect(counters.checkAndAdd([{ key: 'k', windowMs: 1_000, cost: 1, limit: 1 }])).rejects.toThrow(/no answer within 100 ms/);
    expect(Date.now() - started).toBeLessThan(1_000);
    stalled.commands.disconnect();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => mute.close(resolve));
  });
});
