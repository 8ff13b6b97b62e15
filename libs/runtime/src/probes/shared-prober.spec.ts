import type { ProbeReport } from '@switchyard/adapters';
import { parseConfig } from '@switchyard/contracts';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import type { ProbeShare, ProbeTarget, SharedProbe } from '@switchyard/store';
import { PolicyRuntime } from '../policy-runtime';
import { waitFor } from '../testing.mock';
import { probeTarget, SharedProber } from './shared-prober';

/** A ProbeShare in memory: this replica wins the backends `wins` names; what it publishes is kept. */
class MemoryProbeShare implements ProbeShare {
  readonly claims: { targets: ProbeTarget[]; leaseMs: number }[] = [];
  readonly published: SharedProbe[] = [];
  constructor(private readonly wins: (backend: string) => boolean) {}
  start(): Promise<void> {
    return Promise.resolve();
  }
  claim(targets: readonly ProbeTarget[], leaseMs: number): Promise<boolean[]> {
    this.claims.push({ targets: [...targets], leaseMs });
    return Promise.resolve(targets.map((t) => this.wins(t.backend)));
  }
  publish(p: SharedProbe): void {
    this.published.push(p);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('probes shared between replicas', () => {
  let fake: FakeLlm;
  let runtime: PolicyRuntime | undefined;
  const config = (intervalMs = 60_000) =>
    parseConfig(
      `
backends:
  - { name: local, protocol: openai, baseUrl: ${fake.baseUrl}, tier: local, models: [llama] }
  - { name: other, protocol: openai, baseUrl: ${fake.baseUrl}, tier: local, models: [qwen] }
models: []
policy:
  health: { intervalMs: ${intervalMs}, timeoutMs: 500, failuresToDown: 2, successesToUp: 2 }
`,
      {},
    );

  beforeEach(async () => {
    fake = await startFakeLlm({ protocol: 'openai', models: ['llama', 'qwen'] });
  });
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
    await fake.close();
  });

  it('SharedProber probes only the backends it wins, claiming them for most of an interval', async () => {
    const share = new MemoryProbeShare((b) => b === 'local');
    runtime = new PolicyRuntime(config(), { probe: false });
    const adapters = runtime.current.adapters;
    const reports: ProbeReport[] = [];
    const prober = new SharedProber(
      () => adapters.values(),
      1_000,
      500,
      (r) => reports.push(r),
      share,
    );
    const round = await prober.probeAll();
    expect(round.map((r) => [r.backend, r.ok])).toEqual([['local', true]]);
    expect(reports).toEqual(round);
    expect(share.claims).toEqual([{ targets: [probeTarget(adapters.get('local')!.backend), probeTarget(adapters.get('other')!.backend)], leaseMs: 900 }]);
    expect(fake.requests.filter((r) => r.path.endsWith('/models'))).toHaveLength(1);
  });

  it('fingerprints where a backend is, not only its name', () => {
    const a = probeTarget({ name: 'local', protocol: 'openai', baseUrl: 'http://10.0.0.1:8000/v1' });
    expect(a).toEqual({ backend: 'local', target: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(probeTarget({ name: 'local', protocol: 'openai', baseUrl: 'http://10.0.0.2:8000/v1' }).target).not.toBe(a.target);
    expect(probeTarget({ name: 'local', protocol: 'openai', baseUrl: 'http://10.0.0.1:8000/v1' })).toEqual(a);
  });

  it('PolicyRuntime publishes its own verdicts with the health they leave, and probes only what it won', async () => {
    const share = new MemoryProbeShare((b) => b === 'local');
    runtime = new PolicyRuntime(config(100), { probeShare: share });
    fake.setFault({ mode: 'error', status: 503 });
    runtime.start();
    await waitFor(() => share.published.filter((p) => !p.ok).length >= 2, 3_000, 'two failed probes published');
    const [first, second] = share.published.filter((p) => !p.ok);
    const target = probeTarget(runtime.current.adapters.get('local')!.backend).target;
    // Down after the second failure in a row (failuresToDown: 2): the verdict travels with the result.
    expect(first).toMatchObject({ backend: 'local', target, ok: false, healthy: true, error: expect.stringContaining('503') });
    expect(second).toMatchObject({ backend: 'local', target, ok: false, healthy: false });
    expect(share.published.every((p) => p.backend === 'local')).toBe(true);
    expect(runtime.current.registry.backend('other').healthy).toBe(true); // never probed here
  });

  it('applies a verdict another replica shared as if probed here, and tells the hooks', () => {
    runtime = new PolicyRuntime(config(), { probeShare: new MemoryProbeShare(() => false) });
    const heard: [string, boolean, boolean][] = [];
    runtime.listen({ probed: (r, changed) => heard.push([r.backend, r.ok, changed]) });
    const target = probeTarget(runtime.current.adapters.get('other')!.backend).target;
    const shared = (over: Partial<SharedProbe>): SharedProbe => ({
      backend: 'other',
      target,
      ok: false,
      healthy: true,
      error: 'HTTP 503',
      ms: 3,
      at: Date.now(),
      ...over,
    });

    runtime.applyShared(shared({ healthy: true }));
    expect(runtime.current.registry.backend('other').healthy).toBe(true);
    // The prober's verdict wins over local hysteresis: this replica had counted one failure, the prober two.
    runtime.applyShared(shared({ healthy: false }));
    expect(runtime.current.registry.backend('other').healthy).toBe(false);
    expect(runtime.current.registry.lastError('other')).toBe('HTTP 503');
    // A replica that joined late takes the verdict at once.
    runtime.applyShared(shared({ ok: true, healthy: true, error: undefined }));
    expect(runtime.current.registry.backend('other').healthy).toBe(true);
    expect(heard).toEqual([
      ['other', false, false],
      ['other', false, true],
      ['other', true, true],
    ]);

    // Not this config's backend, or this name somewhere else: ignored.
    runtime.applyShared(shared({ backend: 'gone' }));
    runtime.applyShared(shared({ target: 'elsewhere', healthy: false }));
    expect(runtime.current.registry.backend('other').healthy).toBe(true);
    expect(heard).toHaveLength(3);
  });
});
