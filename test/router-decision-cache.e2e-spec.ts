import { parseConfig, type PiiAction } from '@switchyard/contracts';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import type { RequestFeatures, RouteDecision } from '@switchyard/policy';
import { RouterClient } from '@switchyard/runtime';
import { features, memoryLogger, waitFor } from '@switchyard/runtime/testing.mock';
import { createRouter, type RouterApp } from '../apps/router/src/router.factory';
import { seeded } from '../libs/policy/src/seeded.mock';

// The gateway's RouterClient reuses the router's decisions while the router's state version stays
// the one they were made on. Against a real router over gRPC and fake backends, every answer the
// client gives is compared with a fresh decision of the router's engine on the same state, over
// many feature combinations and through state changes: latency figures, a breaker opening, a
// backend going down. Privacy: a request's own privacy state always decides where it may go.

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

describe('router decision reuse (gateway RouterClient against a real router)', () => {
  const fakes = new Map<string, FakeLlm>();
  let router: RouterApp;
  let client: RouterClient;

  beforeAll(async () => {
    for (const [name, model] of [
      ['local1', 'llama'],
      ['local2', 'llama'],
      ['cloud', 'gpt'],
    ] as const) {
      fakes.set(name, await startFakeLlm({ protocol: 'openai', models: [model] }));
    }
    const url = (name: string): string => fakes.get(name)!.baseUrl;
    const config = parseConfig(
      JSON.stringify({
        backends: [
          {
            name: 'local1',
            protocol: 'openai',
            baseUrl: url('local1'),
            tier: 'local',
            maxConcurrency: 2,
            costPerHour: 1,
            models: [{ id: 'llama', contextWindow: 4000 }],
          },
          {
            name: 'local2',
            protocol: 'openai',
            baseUrl: url('local2'),
            tier: 'local',
            maxConcurrency: 2,
            capabilities: { logprobs: false },
            models: [{ id: 'llama', contextWindow: 4000 }],
          },
          {
            name: 'cloud',
            protocol: 'openai',
            baseUrl: url('cloud'),
            tier: 'cloud',
            apiKey: 'sk-test-cloud-0123456789',
            price: { input: 0.15, output: 0.6 },
            models: [{ id: 'gpt', contextWindow: 128000 }],
          },
        ],
        models: [
          {
            name: 'chat',
            targets: [
              { backend: 'local1', model: 'llama' },
              { backend: 'local2', model: 'llama' },
              { backend: 'cloud', model: 'gpt' },
            ],
          },
          { name: 'cloud-chat', targets: [{ backend: 'cloud', model: 'gpt' }] },
        ],
        policy: {
          strategy: 'local-first',
          privacy: { onPii: 'local-only' },
          rules: [
            { name: 'blocked', match: { header: { 'x-block': 'yes' } }, action: { deny: 'blocked header' } },
            { name: 'research-cloud', match: { header: { 'x-team': 'research' } }, action: { tier: 'cloud' } },
            { name: 'acme-cheapest', match: { tenant: 'acme' }, action: { strategy: 'cheapest' } },
            { name: 'batch-fastest', match: { tags: ['batch'] }, action: { strategy: 'fastest' } },
            { name: 'ab-weighted', match: { model: 'llama', tags: ['ab'] }, action: { strategy: 'weighted' } },
            { name: 'pii-cloud-first', match: { pii: true, tags: ['cf'] }, action: { strategy: 'cloud-first' } },
          ],
          // Probes every 300 ms: a dead backend moves the state every probe, live ones do not.
          health: { intervalMs: 300, timeoutMs: 200, failuresToDown: 2, successesToUp: 2 },
          breaker: { minRequests: 3, failureRate: 0.5, windowMs: 30000, openMs: 60000 },
        },
      }),
      {},
      'router-decision-cache-test',
    );
    router = await createRouter({ config, logger: memoryLogger().logger, url: '127.0.0.1:0', drainMs: 200 });
    client = new RouterClient(router.address, { decideDeadlineMs: 5_000, logger: memoryLogger().logger });
    client.start();
    await waitFor(() => client.currentStateVersion === router.state.stateVersion, 5_000, 'the client to hear the router state version');
  });

  afterAll(async () => {
    await client.close();
    await router.close();
    await Promise.allSettled([...fakes.values()].map((f) => f.close()));
  });

  /** Random features from small value sets, so that questions repeat. */
  function randomQuestion(r: () => number): { f: RequestFeatures; inFlight: Record<string, number> } {
    const pii = pick(r, [[], [], ['email'], ['email', 'phone']]);
    const extra: Partial<RequestFeatures> = {
      tenant: pick(r, ['acme', 'globex', undefined]),
      keyId: pick(r, ['k1', 'k2']),
      promptTokens: pick(r, [10, 500, 3900]),
      maxTokens: pick(r, [undefined, 50, 200]),
      maxLatencyMs: pick(r, [undefined, 100, 10_000]),
      tags: pick(r, [[], ['batch'], ['ab'], ['cf']]),
      headers: pick(r, [{}, { 'x-team': 'research' }, { 'x-block': 'yes' }, { 'x-team': 'ops' }]),
      pii,
      onPii: pick(r, [undefined, undefined, 'redact', 'allow', 'deny'] as (PiiAction | undefined)[]),
      logprobs: pick(r, [undefined, true]),
    };
    if (r() < 0.15) extra.unscannable = ['image'];
    const f = features(pick(r, ['chat', 'chat', 'cloud-chat', 'llama', 'nope']), extra);
    const inFlight = { local1: pick(r, [0, 1, 2]), local2: pick(r, [0, 1]), cloud: pick(r, [0, 3]) };
    return { f, inFlight };
  }

  /** What the stance forbids never shows up: a local-only request never gets a cloud candidate. */
  function expectPrivacyHeld(f: RequestFeatures, d: RouteDecision | undefined): void {
    if (!d) return;
    const stance = f.onPii ?? 'local-only';
    const denied = f.pii.length > 0 && stance === 'deny';
    const localOnly = (f.pii.length > 0 && stance === 'local-only') || ((f.unscannable?.length ?? 0) > 0 && stance !== 'allow' && !denied);
    if (localOnly) expect(d.candidates.filter((c) => c.tier === 'cloud')).toEqual([]);
    if (denied && !d.deny) throw new Error(`a request whose stance denies its PII was not refused: ${JSON.stringify(f)}`);
    if (f.pii.length > 0 && stance === 'redact') for (const c of d.candidates) if (c.tier === 'cloud') expect(c.redact).toBe(true);
  }

  /**
   * A pool of questions asked in random order: many combinations, each asked several times, and
   * each beside a twin that differs in one feature only (the cache must tell them apart).
   */
  function questionPool(r: () => number, size: number): ReturnType<typeof randomQuestion>[] {
    const pool: ReturnType<typeof randomQuestion>[] = [];
    while (pool.length < size) {
      const q = randomQuestion(r);
      const other = randomQuestion(r);
      const field = pick(r, [
        'pii',
        'onPii',
        'unscannable',
        'tenant',
        'tags',
        'headers',
        'promptTokens',
        'maxTokens',
        'maxLatencyMs',
        'logprobs',
        'model',
        'inFlight',
      ] as const);
      const twin = { f: { ...q.f }, inFlight: { ...q.inFlight } };
      if (field === 'inFlight') twin.inFlight = other.inFlight;
      else Object.assign(twin.f, { [field]: other.f[field] });
      pool.push(q, twin);
    }
    return pool;
  }

  /**
   * Asks `rounds` random questions and compares each answer with the router's own fresh decision
   * on the same state. Answers given while the state moved under them are not compared (the
   * router's answer to a question in flight is as old as the question); most must be.
   */
  async function compareRounds(seed: number, rounds: number): Promise<{ compared: number; hits: number }> {
    const r = seeded(seed);
    const pool = questionPool(r, Math.ceil(rounds / 5));
    const hits0 = client.reuse.hits;
    let compared = 0;
    for (let i = 0; i < rounds; i++) {
      const { f, inFlight } = pick(r, pool);
      const version = router.state.stateVersion;
      const got = await client.decide(f, inFlight);
      const fresh = router.state.decide(f, inFlight);
      expectPrivacyHeld(f, got);
      if (router.state.stateVersion !== version || client.currentStateVersion !== version) continue;
      compared++;
      if (got?.strategy === 'weighted') {
        // A weighted draw differs by design; what it drew from does not.
        expect(got.candidates.map((c) => c.backend).sort()).toEqual(fresh!.candidates.map((c) => c.backend).sort());
        continue;
      }
      expect({ f, inFlight, decision: got }).toStrictEqual({ f, inFlight, decision: fresh });
    }
    return { compared, hits: client.reuse.hits - hits0 };
  }

  const caughtUp = (what: string) => waitFor(() => client.currentStateVersion === router.state.stateVersion, 5_000, `the client to hear ${what}`);

  it('answers like a fresh decision over many feature combinations, mostly from the cache', async () => {
    const { compared, hits } = await compareRounds(1, 1500);
    expect(compared).toBeGreaterThan(1400);
    expect(hits).toBeGreaterThan(500);
  });

  it('shares one router call among identical questions in flight', async () => {
    const f = features('chat', { promptTokens: 77, tags: ['batch'] });
    await client.decide(features('chat', { promptTokens: 1 }), {}); // the model's scope is known
    const shared0 = client.reuse.shared;
    const answers = await Promise.all(Array.from({ length: 20 }, () => client.decide(f, { local1: 1 })));
    expect(client.reuse.shared - shared0).toBe(19);
    for (const a of answers) expect(a).toStrictEqual(answers[0]);
    // Weighted draws are each request's own: neither shared nor kept.
    const drawn = features('llama', { promptTokens: 77, tags: ['ab'] });
    await client.decide(features('llama', { promptTokens: 1 }), {}); // the model's scope is known
    const hits0 = client.reuse.hits;
    const draws = await Promise.all(Array.from({ length: 20 }, () => client.decide(drawn, { local1: 1 })));
    expect(client.reuse.shared - shared0).toBe(19);
    expect(client.reuse.hits).toBe(hits0);
    expect(draws.every((d) => d?.strategy === 'weighted')).toBe(true);
  });

  it('follows new latency figures', async () => {
    const before = router.state.stateVersion;
    for (let i = 0; i < 5; i++) {
      client.report({ backend: 'local1', model: 'llama', success: true, status: 200, ttftMs: 400, outputTokens: 100, durationMs: 2400 });
      client.report({ backend: 'cloud', model: 'gpt', success: true, status: 200, ttftMs: 90, outputTokens: 100, durationMs: 600 });
    }
    await waitFor(() => router.state.stateVersion !== before && router.state.snapshot().backends.find((b) => b.name === 'local1')?.ttftMs, 5_000, 'figures');
    await caughtUp('the figures');
    const { compared } = await compareRounds(2, 600);
    expect(compared).toBeGreaterThan(500);
  });

  it('follows a breaker that opens', async () => {
    // Enough failures to outweigh the successes the window holds.
    for (let i = 0; i < 12; i++) client.report({ backend: 'local1', model: 'llama', success: false, status: 503 });
    await waitFor(() => router.state.snapshot().backends.find((b) => b.name === 'local1')?.breaker === 'open', 5_000, 'local1 breaker open');
    await caughtUp('the open breaker');
    const d = await client.decide(features('chat'), {});
    expect(d?.candidates.find((c) => c.backend === 'local1')?.panic).toBe(true);
    const { compared } = await compareRounds(3, 600);
    expect(compared).toBeGreaterThan(500);
  });

  it('follows a backend that goes down', async () => {
    await fakes.get('local2')!.close();
    await waitFor(() => router.state.snapshot().backends.find((b) => b.name === 'local2')?.healthy === false, 5_000, 'local2 down');
    await caughtUp('local2 down');
    // Failing probes move the state every interval; what is compared is still compared on one state.
    const { compared } = await compareRounds(4, 600);
    expect(compared).toBeGreaterThan(100);
  });

  describe('privacy', () => {
    it.each([
      ['PII under the config stance (local-only)', { pii: ['email'] }],
      ['PII under a tenant stance of local-only', { pii: ['email'], onPii: 'local-only' as const }],
      ['unscannable content', { unscannable: ['image'] }],
      ['PII with a rule that prefers the cloud', { pii: ['email'], tags: ['cf'] }],
    ])('never hands a cached cloud decision to a request that must stay local: %s', async (_name, extra: Partial<RequestFeatures>) => {
      const base: Partial<RequestFeatures> = { promptTokens: 123, tags: extra.tags ?? [] };
      // The same question without the privacy finding: cloud is allowed (and kept in the cache).
      const open = await client.decide(features('chat', { ...base, headers: { 'x-team': 'research' } }), {});
      expect(open?.candidates[0]?.tier).toBe('cloud');
      expect(await client.decide(features('chat', { ...base, headers: { 'x-team': 'research' } }), {})).toStrictEqual(open);
      const kept = await client.decide(features('chat', { ...base, ...extra, headers: { 'x-team': 'research' } }), {});
      expect(kept?.candidates.some((c) => c.tier === 'cloud')).toBe(false);
      expect(kept?.deny?.code).toBe('pii_local_only');
      const local = await client.decide(features('chat', { ...base, ...extra }), {});
      expect(local?.candidates.length).toBeGreaterThan(0);
      expect(local?.candidates.every((c) => c.tier === 'local')).toBe(true);
    });

    it("keeps the redact flag and the deny of the request's own stance", async () => {
      const plain = await client.decide(features('cloud-chat', { promptTokens: 321 }), {});
      expect(plain?.candidates[0]).toMatchObject({ backend: 'cloud' });
      expect(plain?.candidates[0].redact).toBeUndefined();
      const redacted = await client.decide(features('cloud-chat', { promptTokens: 321, pii: ['email'], onPii: 'redact' }), {});
      expect(redacted?.candidates[0]).toMatchObject({ backend: 'cloud', redact: true });
      const denied = await client.decide(features('cloud-chat', { promptTokens: 321, pii: ['email'], onPii: 'deny' }), {});
      expect(denied?.deny?.code).toBe('pii_denied');
    });
  });
});
