import { randomUUID } from 'node:crypto';
import { RedisConnections } from '../redis/redis-connections';
import type { SharedProbe } from './probe-share';
import { RedisProbeShare } from './redis-probe.share';

// Runs against a real Redis: REDIS_URL, or the local default. Without one this suite fails, saying so.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = { info: () => undefined, warn: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`RedisProbeShare (${REDIS_URL})`, () => {
  const connections: RedisConnections[] = [];
  let prefix: string;

  /** A replica: its own connections, and what it received from others. */
  const replica = (p = prefix, url = REDIS_URL) => {
    const redis = new RedisConnections(url, quiet, p);
    connections.push(redis);
    const received: SharedProbe[] = [];
    const warnings: string[] = [];
    const share = new RedisProbeShare(
      redis,
      (s) => received.push(s),
      () => 60_000,
      { info: () => undefined, warn: (_o, msg) => warnings.push(msg) },
    );
    return { share, received, warnings };
  };
  const probe = (over: Partial<SharedProbe> = {}): SharedProbe => ({
    backend: 'local',
    target: 't1',
    ok: false,
    healthy: false,
    error: 'HTTP 503',
    ms: 4,
    at: Date.now(),
    ...over,
  });

  beforeAll(async () => {
    const redis = new RedisConnections(REDIS_URL, quiet);
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      throw new Error(`These specs need Redis at ${REDIS_URL} (set REDIS_URL): ${(err as Error).message}`);
    } finally {
      await redis.close();
    }
  });
  beforeEach(() => {
    // A prefix per test, so tests and runs sharing one Redis never see each other's leases.
    prefix = `switchyard-test-${randomUUID()}`;
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((c) => c.close()));
    const redis = new RedisConnections(REDIS_URL, quiet, prefix);
    const keys = await redis.commands.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.commands.del(...keys);
    await redis.close();
  });

  it('gives each backend to one replica per lease, in one round trip for all backends', async () => {
    const a = replica();
    const b = replica();
    await Promise.all([a.share.start(), b.share.start()]);
    const targets = [
      { backend: 'local', target: 't1' },
      { backend: 'cloud', target: 't2' },
    ];
    expect(await a.share.claim(targets, 300)).toEqual([true, true]);
    expect(await b.share.claim(targets, 300)).toEqual([false, false]);
    expect(await a.share.claim(targets, 300)).toEqual([false, false]); // a claim lasts the lease, for its holder too
    await sleep(350);
    expect(await b.share.claim(targets, 300)).toEqual([true, true]);
    expect(await a.share.claim([...targets, { backend: 'new', target: 't3' }], 300)).toEqual([false, false, true]);
  });

  it('keeps claims of one name at different places apart (replicas on different configs)', async () => {
    const a = replica();
    const b = replica();
    expect(await a.share.claim([{ backend: 'local', target: 'here' }], 1_000)).toEqual([true]);
    expect(await b.share.claim([{ backend: 'local', target: 'there' }], 1_000)).toEqual([true]);
  });

  it('hands results to the other replicas, not back to the one that published them', async () => {
    const a = replica();
    const b = replica();
    await Promise.all([a.share.start(), b.share.start()]);
    const p = probe();
    a.share.publish(p);
    for (let i = 0; i < 100 && b.received.length === 0; i++) await sleep(10);
    expect(b.received).toEqual([p]);
    expect(a.received).toEqual([]);
  });

  it('gives a replica that starts later the recent results, not stale ones', async () => {
    const a = replica();
    await a.share.start();
    const fresh = probe({ backend: 'local' });
    a.share.publish(fresh);
    a.share.publish(probe({ backend: 'old', at: Date.now() - 120_000 }));
    await sleep(50);
    const late = replica();
    await late.share.start();
    expect(late.received).toEqual([fresh]);
  });

  it('claims everything while it cannot hear the others (Redis away at start), without waiting on Redis', async () => {
    const down = replica(prefix, 'redis://127.0.0.1:1');
    await expect(down.share.start()).rejects.toThrow();
    const started = Date.now();
    expect(await down.share.claim([{ backend: 'local', target: 't1' }], 1_000)).toEqual([true]);
    expect(await down.share.claim([{ backend: 'local', target: 't1' }], 1_000)).toEqual([true]);
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('claims everything at once when Redis goes away, and says so once', async () => {
    const a = replica();
    const b = replica();
    await Promise.all([a.share.start(), b.share.start()]);
    expect(await b.share.claim([{ backend: 'local', target: 't1' }], 60_000)).toEqual([true]);
    await connections[0].commands.quit(); // a's command connection is gone (status "end")
    const started = Date.now();
    expect(await a.share.claim([{ backend: 'local', target: 't1' }], 60_000)).toEqual([true]);
    expect(await a.share.claim([{ backend: 'local', target: 't1' }], 60_000)).toEqual([true]);
    expect(Date.now() - started).toBeLessThan(100);
    expect(a.warnings).toEqual(['redis unreachable: this replica probes every backend itself until it answers']);
  });
});
