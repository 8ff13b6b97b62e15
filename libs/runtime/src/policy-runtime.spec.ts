import type { ProbeReport } from '@switchyard/adapters';
import { parseConfig, type SwitchyardConfig } from '@switchyard/contracts';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import type { BreakerTransition } from '@switchyard/policy';
import { PolicyRuntime, type Generation } from './policy-runtime';
import { waitFor } from './testing.mock';

/** `local` (llama, qwen) and `cloud` (gpt); a backend on port 9 refuses every connection. */
const config = (opts: { localUrl?: string; cloudUrl?: string; withCloud?: boolean; openMs?: number; intervalMs?: number } = {}): SwitchyardConfig =>
  parseConfig(
    `
backends:
  - { name: local, protocol: openai, baseUrl: ${opts.localUrl ?? 'http://127.0.0.1:9/v1'}, tier: local, models: [llama, qwen] }
${opts.withCloud === false ? '' : `  - { name: cloud, protocol: openai, baseUrl: ${opts.cloudUrl ?? 'http://127.0.0.1:9/v1'}, tier: cloud, apiKey: sk-test-cloud-0123456789, models: [gpt] }`}
models:
  - { name: chat, targets: [{ backend: local, model: llama }] }
policy:
  health: { intervalMs: ${opts.intervalMs ?? 60000}, timeoutMs: 500, failuresToDown: 1, successesToUp: 1 }
  breaker: { minRequests: 2, failureRate: 0.5, openMs: ${opts.openMs ?? 60000} }
`,
    {},
  );

const fail = (backend: string, model: string) => ({ backend, model, success: false, status: 503 });

describe('PolicyRuntime', () => {
  let runtime: PolicyRuntime;

  afterEach(async () => {
    jest.useRealTimers();
    await runtime.stop();
  });

  describe('apply', () => {
    beforeEach(() => {
      runtime = new PolicyRuntime(config(), { probe: false });
    });

    it('carries health, statistics, in-flight counts and open breakers (at their opened-at time) of backends that keep their name', () => {
      const old = runtime.current;
      old.registry.probed('local', false, 'connect ECONNREFUSED');
      old.registry.record({ backend: 'cloud', model: 'gpt', success: true, status: 200, ttftMs: 80, outputTokens: 21, durationMs: 280 });
      old.registry.begin('cloud');
      old.registry.begin('cloud');
      old.registry.record(fail('local', 'qwen'));
      old.registry.record(fail('local', 'qwen'));
      const openedAt = old.openedAt.get('local');
      expect(openedAt).toBeGreaterThan(0);
      expect(old.openedAt.get('local/qwen')).toBe(openedAt);

      const next = runtime.apply(config({ openMs: 50_000 }));

      expect(next).toBe(runtime.current);
      expect(next.registry).not.toBe(old.registry);
      expect(next.registry.backend('local')).toMatchObject({ healthy: false, breaker: 'open', inFlight: 0 });
      expect(next.registry.lastError('local')).toBe('connect ECONNREFUSED');
      expect(next.registry.backend('cloud')).toMatchObject({ healthy: true, breaker: 'closed', inFlight: 2, ttftMs: 80 });
      expect(next.registry.breaker('local', 'qwen')).toBe('open');
      expect(next.registry.breaker('local', 'llama')).toBe('closed');
      expect(next.openedAt).toEqual(
        new Map([
          ['local', openedAt],
          ['local/qwen', openedAt],
        ]),
      );

      // A request that began before the reload ends on the current generation.
      next.registry.end('cloud');
      expect(next.registry.backend('cloud').inFlight).toBe(1);
    });

    it('carries the breakers of backends and models whose names hold slashes', () => {
      const slashed = (openMs: number) =>
        parseConfig(
          `
backends:
  - { name: eu/vllm, protocol: openai, baseUrl: http://127.0.0.1:9/v1, tier: local, models: [meta-llama/Llama-3-8B] }
  - { name: cloud, protocol: openai, baseUrl: http://127.0.0.1:9/v1, tier: cloud, apiKey: sk-test-cloud-0123456789, models: [openai/gpt-4o] }
policy:
  breaker: { minRequests: 2, failureRate: 0.5, openMs: ${openMs} }
`,
          {},
        );
      runtime = new PolicyRuntime(slashed(60_000), { probe: false });
      const old = runtime.current;
      old.registry.applyBreaker({ key: 'eu/vllm/meta-llama/Llama-3-8B', state: 'open', at: Date.now() });
      old.registry.applyBreaker({ key: 'cloud/openai/gpt-4o', state: 'open', at: Date.now() });
      const next = runtime.apply(slashed(50_000));
      expect(next.registry.breaker('eu/vllm', 'meta-llama/Llama-3-8B')).toBe('open');
      expect(next.registry.breaker('cloud', 'openai/gpt-4o')).toBe('open');
      expect(next.registry.backend('eu/vllm').breaker).toBe('closed');
    });

    it('brings a carried breaker back half-open when its open time under the new config has passed', async () => {
      runtime.current.registry.record(fail('cloud', 'gpt'));
      runtime.current.registry.record(fail('cloud', 'gpt'));
      runtime.apply(config({ openMs: 10 }));
      await new Promise((r) => setTimeout(r, 30));
      expect(runtime.current.registry.backend('cloud').breaker).toBe('half_open');
    });

    it('starts a backend that is new or left and came back from scratch', () => {
      runtime.current.registry.probed('cloud', false, 'down');
      runtime.apply(config({ withCloud: false }));
      expect(runtime.current.registry.names()).toEqual(['local']);
      runtime.apply(config());
      expect(runtime.current.registry.backend('cloud')).toMatchObject({ healthy: true, breaker: 'closed' });
    });

    it('publishes the whole generation with one assignment: a reader holding the old one sees the old config throughout', () => {
      const held = runtime.current;
      const before = { config: held.config, engine: held.engine, registry: held.registry, adapters: held.adapters };
      const next = runtime.apply(config({ withCloud: false }));

      expect(held).toEqual(expect.objectContaining(before));
      expect(held.adapters.has('cloud')).toBe(true);
      expect(next.config).not.toBe(held.config);
      expect(next.engine).not.toBe(held.engine);
      expect(next.adapters.has('cloud')).toBe(false);
      expect(() => runtime.adapter('cloud')).toThrow('unknown backend cloud');
    });

    it('keeps the adapter of a backend whose settings did not change and retires a replaced one after the grace period', async () => {
      await runtime.stop();
      jest.useFakeTimers();
      runtime = new PolicyRuntime(config(), { probe: false, retireGraceMs: 60_000 });
      const local = runtime.adapter('local');
      const cloud = runtime.adapter('cloud');
      const closeCloud = jest.spyOn(cloud, 'close');
      runtime.apply(config({ cloudUrl: 'http://127.0.0.1:11/v1' }));
      expect(runtime.adapter('local')).toBe(local);
      expect(runtime.adapter('cloud')).not.toBe(cloud);
      jest.advanceTimersByTime(59_000);
      expect(closeCloud).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1_000);
      expect(closeCloud).toHaveBeenCalledTimes(1);
    });

    it('calls breaker hooks with the generation, and tracks the opened-at time of transitions made elsewhere', () => {
      const seen: [BreakerTransition, Generation][] = [];
      const unlisten = runtime.listen({ breaker: (t, gen) => seen.push([t, gen]) });
      runtime.current.registry.record(fail('cloud', 'gpt'));
      runtime.current.registry.record(fail('cloud', 'gpt'));
      expect(seen.map(([t, gen]) => [t.key, t.state, gen === runtime.current])).toEqual([
        ['cloud', 'open', true],
        ['cloud/gpt', 'open', true],
      ]);

      // As another replica's transition arrives through Redis, or the router's states.
      const at = Date.now() - 5_000;
      runtime.current.registry.applyBreaker({ key: 'local', state: 'open', at });
      expect(runtime.current.openedAt.get('local')).toBe(at);
      runtime.apply(config());
      expect(runtime.current.openedAt.get('local')).toBe(at);
      expect(runtime.current.registry.backend('local').breaker).toBe('open');
      runtime.current.registry.applyBreaker({ key: 'local', state: 'closed', at: Date.now() });
      expect(runtime.current.openedAt.has('local')).toBe(false);

      unlisten();
      runtime.apply(config());
      runtime.current.registry.record(fail('local', 'llama'));
      runtime.current.registry.record(fail('local', 'llama'));
      expect(seen).toHaveLength(2);
    });
  });

  describe('probes (real adapters against fake-llm)', () => {
    let fake: FakeLlm;
    let reports: { report: ProbeReport; changed: boolean; gen: Generation }[];

    beforeEach(async () => {
      fake = await startFakeLlm({ protocol: 'openai', models: ['llama', 'qwen'] });
      reports = [];
    });

    afterEach(() => fake.close());

    const listen = (): void => {
      runtime.listen({ probed: (report, changed, gen) => reports.push({ report, changed, gen }) });
    };

    it('probes once started, from the current generation only, and stops probing when stopped', async () => {
      runtime = new PolicyRuntime(config({ localUrl: fake.baseUrl, intervalMs: 100 }));
      listen();
      expect(runtime.current.prober).toBeDefined();
      await new Promise((r) => setTimeout(r, 250));
      expect(reports).toHaveLength(0); // not started yet

      runtime.start();
      await waitFor(() => reports.some((r) => r.report.backend === 'local' && r.report.ok), 2_000, 'a passing probe of local');
      await waitFor(() => reports.some((r) => r.report.backend === 'cloud' && !r.report.ok && r.changed), 2_000, 'cloud found down');
      expect(runtime.current.registry.backend('cloud').healthy).toBe(false);
      expect(runtime.current.registry.backend('local').healthy).toBe(true);

      const old = runtime.current;
      runtime.apply(config({ localUrl: fake.baseUrl, withCloud: false, intervalMs: 100 }));
      const since = reports.length;
      // The old prober is stopped, and what it still reports is about the old config: not heard.
      // (probeAll answers [] while its last interval's round is still out.)
      const late = await waitFor(async () => (await old.prober!.probeAll()).map((r) => r.backend).join(), 2_000, 'a round of the old prober');
      expect(late).toBe('local,cloud');
      expect(reports.slice(since).every((r) => r.gen !== old)).toBe(true);
      await waitFor(() => reports.slice(since).some((r) => r.gen === runtime.current), 2_000, 'a probe of the new generation');
      expect(reports.slice(since).every((r) => r.gen === runtime.current && r.report.backend === 'local')).toBe(true);

      await runtime.stop();
      const stopped = reports.length;
      await new Promise((r) => setTimeout(r, 250));
      expect(reports.length).toBe(stopped);
    });

    it('does not start a new generation probing before start()', async () => {
      runtime = new PolicyRuntime(config({ localUrl: fake.baseUrl, intervalMs: 100 }));
      listen();
      runtime.apply(config({ localUrl: fake.baseUrl, withCloud: false, intervalMs: 100 }));
      await new Promise((r) => setTimeout(r, 250));
      expect(reports).toHaveLength(0);
      expect(fake.requests).toHaveLength(0);
    });

    it('runs without a prober when told to (someone else probes)', async () => {
      runtime = new PolicyRuntime(config({ localUrl: fake.baseUrl, intervalMs: 100 }), { probe: false });
      listen();
      runtime.start();
      expect(runtime.current.prober).toBeUndefined();
      await runtime.probeNow();
      await new Promise((r) => setTimeout(r, 250));
      expect(reports).toHaveLength(0);
      expect(fake.requests).toHaveLength(0);
    });
  });
});
