import { randomUUID } from 'node:crypto';
import { parseConfig, type SwitchyardConfig } from '@switchyard/contracts';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import { memoryLogger } from '@switchyard/runtime/testing.mock';
import { RedisConnections } from '@switchyard/store';
import { createRouter, type RouterApp } from '../apps/router/src/router.factory';
import { features, TestRouterClient, waitFor } from '../apps/router/test/router-harness.mock';

// Several router replicas over one Redis agree: a breaker one opens is open on all, and each
// backend is probed by one replica per interval, the others taking its verdict.
// Needs Redis: REDIS_URL, or the local default. Without one this suite fails, saying so.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const INTERVAL_MS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`router replicas sharing state through Redis (${REDIS_URL})`, () => {
  const prefix = `switchyard-test-${randomUUID()}`;
  let local: FakeLlm;
  let cloud: FakeLlm;
  let config: SwitchyardConfig;
  const routers: RouterApp[] = [];
  const clients: TestRouterClient[] = [];

  const startReplica = async (): Promise<RouterApp> => {
    const router = await createRouter({ config, logger: memoryLogger().logger, url: '127.0.0.1:0', drainMs: 200, redisUrl: REDIS_URL, redisPrefix: prefix });
    routers.push(router);
    return router;
  };
  const clientOf = (router: RouterApp): TestRouterClient => {
    const c = new TestRouterClient(router.address);
    clients.push(c);
    return c;
  };
  const stateOf = (router: RouterApp, backend: string) => router.state.snapshot().backends.find((b) => b.name === backend)!;
  /** Probes (GET …/models) a fake received since `since` (epoch ms). */
  const probesOf = (fake: FakeLlm, since: number) => fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/models') && r.at >= since).length;

  beforeAll(async () => {
    const redis = new RedisConnections(REDIS_URL, { info: () => undefined, warn: () => undefined }, prefix);
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      throw new Error(`This suite needs Redis at ${REDIS_URL} (set REDIS_URL): ${(err as Error).message}`);
    } finally {
      await redis.close();
    }
    local = await startFakeLlm({ protocol: 'openai', models: ['llama'] });
    cloud = await startFakeLlm({ protocol: 'openai', models: ['gpt'] });
    config = parseConfig(
      JSON.stringify({
        backends: [
          { name: 'local', protocol: 'openai', baseUrl: local.baseUrl, tier: 'local', models: ['llama'] },
          { name: 'cloud', protocol: 'openai', baseUrl: cloud.baseUrl, tier: 'cloud', apiKey: 'sk-test-cloud-0123456789', models: ['gpt'] },
        ],
        models: [
          {
            name: 'chat',
            targets: [
              { backend: 'local', model: 'llama' },
              { backend: 'cloud', model: 'gpt' },
            ],
          },
        ],
        policy: {
          health: { intervalMs: INTERVAL_MS, timeoutMs: 150, failuresToDown: 2, successesToUp: 2 },
          breaker: { minRequests: 3, failureRate: 0.5, windowMs: 30000, openMs: 60000 },
        },
      }),
      {},
      'router-replicas-test',
    );
    await startReplica();
    await startReplica();
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.allSettled(routers.map((r) => r.close()));
    await Promise.allSettled([local?.close(), cloud?.close()]);
    const redis = new RedisConnections(REDIS_URL, { info: () => undefined, warn: () => undefined }, prefix);
    const keys = await redis.commands.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.commands.del(...keys);
    await redis.close();
  });

  it('probes each backend about once per interval between them, not once per replica', async () => {
    const [a, b] = routers;
    // Let both settle into their rhythm, then count over a window of 10 intervals.
    await sleep(2 * INTERVAL_MS);
    const since = Date.now();
    const windowMs = 10 * INTERVAL_MS;
    await sleep(windowMs);
    // One prober: 10 or 11 in the window (a claim lasts 0.9 intervals). Two unshared: about 20.
    const most = Math.ceil(windowMs / (0.9 * INTERVAL_MS)) + 1;
    for (const fake of [local, cloud]) {
      const n = probesOf(fake, since);
      expect(n).toBeGreaterThanOrEqual(7);
      expect(n).toBeLessThanOrEqual(most);
    }
    expect(stateOf(a, 'local').healthy && stateOf(b, 'local').healthy).toBe(true);
  });

  it('agrees on health: a backend failing its probes goes down on every replica, and comes back on every replica', async () => {
    const [a, b] = routers;
    local.setFault({ mode: 'error', status: 503 });
    const since = Date.now();
    await waitFor(() => !stateOf(a, 'local').healthy && !stateOf(b, 'local').healthy, 5_000, 'local down on both replicas');
    expect(stateOf(b, 'local').lastError).toBe(stateOf(a, 'local').lastError);
    // Two failures in a row mark it down: two probes between both replicas, not two each.
    const elapsed = Date.now() - since;
    expect(probesOf(local, since)).toBeLessThanOrEqual(Math.ceil(elapsed / (0.9 * INTERVAL_MS)) + 1);
    // Both route around it.
    for (const r of [a, b]) expect((await clientOf(r).decide(features('chat'))).candidates[0].backend).toBe('cloud');

    local.setFault(undefined);
    await waitFor(() => stateOf(a, 'local').healthy && stateOf(b, 'local').healthy, 5_000, 'local up again on both replicas');
  });

  it('opens a breaker on every replica when one replica trips it, and a replica started later begins with it open', async () => {
    const [a, b] = routers;
    const failure = { backend: 'local', model: 'llama', success: false, status: 503 };
    // Outcomes reach replica A only (a gateway connected to it).
    expect(await clientOf(a).report([failure, failure, failure, failure])).toEqual({ received: 4 });
    expect(stateOf(a, 'local').breaker).toBe('open');

    const watch = clientOf(b).watch();
    await waitFor(
      () => watch.states.some((s) => s.backends.find((x) => x.name === 'local')?.breaker === 'open'),
      5_000,
      "B's watchers told the breaker is open",
    );
    expect(stateOf(b, 'local').breakerOpenedAtUnixMs).toBe(stateOf(a, 'local').breakerOpenedAtUnixMs);
    const decided = await clientOf(b).decide(features('chat'));
    expect(decided.dropped).toEqual([expect.objectContaining({ backend: 'local', code: 'circuit_open' })]);
    watch.call.cancel();

    const c = await startReplica();
    expect(stateOf(c, 'local').breaker).toBe('open');
    expect(stateOf(c, 'local').breakerOpenedAtUnixMs).toBe(stateOf(a, 'local').breakerOpenedAtUnixMs);
    expect((await clientOf(c).decide(features('chat'))).candidates[0].backend).toBe('cloud');
  });

  it('keeps probing when replicas go away: the one left takes the job over', async () => {
    // Close all but the newest replica, whichever of them was probing.
    const left = routers[routers.length - 1];
    await Promise.all(routers.slice(0, -1).map((r) => r.close()));
    await sleep(2 * INTERVAL_MS); // the last claims lapse
    const since = Date.now();
    await sleep(5 * INTERVAL_MS);
    expect(probesOf(local, since)).toBeGreaterThanOrEqual(3);
    expect(probesOf(local, since)).toBeLessThanOrEqual(Math.ceil((5 * INTERVAL_MS) / (0.9 * INTERVAL_MS)) + 1);

    cloud.setFault({ mode: 'error', status: 503 });
    await waitFor(() => !stateOf(left, 'cloud').healthy, 5_000, 'cloud down, probed by the replica left');
    cloud.setFault(undefined);
  });
});
