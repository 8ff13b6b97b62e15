import { randomUUID } from 'node:crypto';
import { RedisConnections, type StoreLog } from '../redis/redis-connections';
import { RedisKeyInvalidations, type KeyInvalidation } from './key-invalidations';

// Runs against a real Redis: REDIS_URL, or the local default. Without one this suite fails, saying so.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`RedisKeyInvalidations (${REDIS_URL})`, () => {
  const prefix = `switchyard-test-${randomUUID()}`;
  const opened: RedisConnections[] = [];
  const quiet = { info: () => undefined, warn: () => undefined };
  const connections = (url = REDIS_URL, log: StoreLog = quiet) => {
    const c = new RedisConnections(url, log, prefix);
    opened.push(c);
    return c;
  };

  beforeAll(async () => {
    const probe = connections();
    try {
      await probe.connect();
      await probe.ping();
    } catch (err) {
      throw new Error(`These specs need Redis at ${REDIS_URL} (set REDIS_URL): ${(err as Error).message}`);
    }
  });
  afterAll(() => Promise.all(opened.map((c) => c.close())));

  /** Three replicas, each with its own connections, listening on one channel; what each received. */
  async function replicas(): Promise<{ sync: RedisKeyInvalidations[]; received: KeyInvalidation[][] }> {
    const sync = [0, 1, 2].map(() => new RedisKeyInvalidations(connections(), quiet));
    const received: KeyInvalidation[][] = [[], [], []];
    await Promise.all(sync.map((s, i) => s.start((change) => received[i].push(change))));
    return { sync, received };
  }

  async function until(check: () => boolean, ms = 2_000): Promise<void> {
    for (const start = Date.now(); !check(); await sleep(10)) if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
  }

  it('tells every other replica what changed, at once, and not the one that published it', async () => {
    const { sync, received } = await replicas();
    expect(sync[0].channel).toBe(`${prefix}:keys:invalidate`);
    const started = Date.now();
    sync[0].publish({ keyId: 'key_1' });
    sync[1].publish({ tenantId: 'tnt_1' });
    await until(() => received[1].length === 1 && received[2].length === 2 && received[0].length === 1);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(received[0]).toEqual([{ tenantId: 'tnt_1' }]);
    expect(received[1]).toEqual([{ keyId: 'key_1' }]);
    // Two publishers' connections: no order between their messages.
    expect(received[2]).toHaveLength(2);
    expect(received[2]).toEqual(expect.arrayContaining([{ keyId: 'key_1' }, { tenantId: 'tnt_1' }]));
  });

  it('ignores what is not an invalidation on its channel', async () => {
    const { received } = await replicas();
    const other = connections();
    await other.connect();
    for (const raw of ['not json', '{}', JSON.stringify({ origin: 'x' }), JSON.stringify({ origin: 'x', keyId: '' }), JSON.stringify({ keyId: 'no-origin' })]) {
      await other.commands.publish(`${prefix}:keys:invalidate`, raw);
    }
    await other.commands.publish(`${prefix}:keys:invalidate`, JSON.stringify({ origin: 'x', tenantId: 'tnt_last' }));
    await until(() => received[0].length > 0);
    expect(received[0]).toEqual([{ tenantId: 'tnt_last' }]);
  });

  it('starts without Redis after a bounded wait, saying so, and publishing never throws', async () => {
    const warnings: string[] = [];
    const log = { info: () => undefined, warn: (_o: object, msg: string) => void warnings.push(msg) };
    const down = new RedisKeyInvalidations(connections('redis://127.0.0.1:1', log), log, 200);
    const started = Date.now();
    await down.start(() => undefined);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(warnings).toContain('redis unreachable: other replicas learn of key changes when their cached keys expire, until it is back');
    expect(() => down.publish({ keyId: 'key_1' })).not.toThrow();
  });
});
