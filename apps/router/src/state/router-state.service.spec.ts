import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@switchyard/contracts';
import { memoryLogger, type LogLine } from '../../test/router-harness.mock';
import { RouterStateService, STATS_PUBLISH_MS } from './router-state.service';

const yaml = (opts: { cloudUrl?: string; withCloud?: boolean; openMs?: number } = {}) => `
backends:
  - { name: local, protocol: openai, baseUrl: http://127.0.0.1:9/v1, tier: local, models: [llama, qwen] }
${opts.withCloud === false ? '' : `  - { name: cloud, protocol: openai, baseUrl: ${opts.cloudUrl ?? 'http://127.0.0.1:10/v1'}, tier: cloud, apiKey: sk-test-cloud-0123456789, models: [gpt] }`}
policy:
  health: { intervalMs: 100, timeoutMs: 100, failuresToDown: 2, successesToUp: 2 }
  breaker: { minRequests: 2, failureRate: 0.5, openMs: ${opts.openMs ?? 60000} }
`;

/** The service alone (no Nest, no gRPC, probes not started): reload and carry-over in detail. */
describe('RouterStateService', () => {
  let dir: string;
  let path: string;
  let svc: RouterStateService;
  let lines: LogLine[];
  const internals = () => svc.policy;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sy-state-'));
    path = join(dir, 'switchyard.yaml');
    writeFileSync(path, yaml());
    const mem = memoryLogger();
    lines = mem.lines;
    svc = new RouterStateService({ config: parseConfig(yaml(), {}, path), configPath: path, env: {}, logger: mem.logger, watchConfig: false });
  });

  afterEach(async () => {
    jest.useRealTimers();
    await svc.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries health, statistics and open breakers of backends that keep their name', () => {
    const reg = internals().current.registry;
    reg.probed('local', false, 'connect ECONNREFUSED');
    reg.probed('local', false, 'connect ECONNREFUSED');
    svc.record({ backend: 'cloud', model: 'gpt', success: true, status: 200, ttftMs: 80, outputTokens: 21, durationMs: 280 });
    svc.record({ backend: 'local', model: 'qwen', success: false, status: 500 });
    svc.record({ backend: 'local', model: 'qwen', success: false, status: 500 });
    const before = svc.snapshot();
    expect(before.backends[0]).toMatchObject({ healthy: false, breaker: 'open', lastError: 'connect ECONNREFUSED' });
    const openedAt = before.backends[0].breakerOpenedAtUnixMs;
    expect(openedAt).toBeGreaterThan(0);

    writeFileSync(path, yaml({ openMs: 50_000 }));
    expect(svc.reload()).toEqual({ ok: true, changed: true });

    const after = internals().current.registry;
    expect(after).not.toBe(reg);
    expect(svc.snapshot().backends).toEqual(before.backends.map((b) => ({ ...b })));
    expect(after.breaker('local', 'qwen')).toBe('open');
    expect(after.breaker('local', 'llama')).toBe('closed');
    expect(svc.snapshot().backends[0].breakerOpenedAtUnixMs).toBe(openedAt);
  });

  it('brings a breaker back half-open when its open time has passed', () => {
    svc.record({ backend: 'cloud', model: 'gpt', success: false, status: 503 });
    svc.record({ backend: 'cloud', model: 'gpt', success: false, status: 503 });
    writeFileSync(path, yaml({ openMs: 10 }));
    expect(svc.reload()).toMatchObject({ ok: true });
    return new Promise<void>((done) =>
      setTimeout(() => {
        expect(svc.snapshot().backends[1].breaker).toBe('half_open');
        done();
      }, 30),
    );
  });

  it('keeps adapters whose backend did not change and closes replaced or removed ones after a grace period', async () => {
    jest.useFakeTimers();
    const { adapters } = internals().current;
    const local = adapters.get('local')!;
    const cloud = adapters.get('cloud')!;
    const closeCloud = jest.spyOn(cloud, 'close');

    writeFileSync(path, yaml({ cloudUrl: 'http://127.0.0.1:11/v1' }));
    expect(svc.reload()).toMatchObject({ ok: true });
    expect(internals().current.adapters.get('local')).toBe(local);
    const cloud2 = internals().current.adapters.get('cloud')!;
    expect(cloud2).not.toBe(cloud);
    expect(closeCloud).not.toHaveBeenCalled(); // a probe may still hold it

    writeFileSync(path, yaml({ withCloud: false }));
    expect(svc.reload()).toMatchObject({ ok: true });
    const closeCloud2 = jest.spyOn(cloud2, 'close');
    jest.advanceTimersByTime(5_000);
    expect(closeCloud).toHaveBeenCalledTimes(1);
    expect(closeCloud2).toHaveBeenCalledTimes(1);
    expect(svc.snapshot().backends.map((b) => b.name)).toEqual(['local']);
  });

  it('ignores a file event whose content did not change, but reloads on request', () => {
    expect(svc.reload('file')).toEqual({ ok: true, changed: false });
    expect(lines.some((l) => l.msg === 'config reloaded')).toBe(false);
    expect(svc.reload('signal')).toEqual({ ok: true, changed: true });
    expect(lines.filter((l) => l.msg === 'config reloaded')).toHaveLength(1);
  });

  it('keeps the running config when the file is unreadable or invalid', () => {
    const engineBefore = svc.config;
    rmSync(path);
    expect(svc.reload()).toMatchObject({ ok: false, error: expect.stringMatching(/cannot read config file \(ENOENT\)/) });
    writeFileSync(path, yaml().replace('failureRate: 0.5', 'failureRate: 7'));
    expect(svc.reload()).toMatchObject({ ok: false, error: expect.stringMatching(/policy\.breaker\.failureRate/) });
    expect(svc.config).toBe(engineBefore);
  });

  it('has nothing to reload without a config file', async () => {
    const bare = new RouterStateService({ config: parseConfig(yaml()), logger: memoryLogger().logger });
    expect(bare.reload()).toMatchObject({ ok: false });
    await bare.onApplicationShutdown();
  });

  describe('state version', () => {
    const ok = { backend: 'cloud', model: 'gpt', success: true, status: 200, ttftMs: 80, outputTokens: 21, durationMs: 280 };
    const cloudTtft = (): number | undefined => svc.snapshot().backends.find((b) => b.name === 'cloud')?.ttftMs;

    it('moves on a failure at once, on successes once per publication, not on client errors', () => {
      jest.useFakeTimers();
      const v0 = svc.stateVersion;
      svc.record(ok);
      svc.record(ok);
      expect(svc.stateVersion).toBe(v0);
      expect(cloudTtft()).toBeUndefined();
      jest.advanceTimersByTime(STATS_PUBLISH_MS);
      const v1 = svc.stateVersion;
      expect(v1).not.toBe(v0);
      expect(cloudTtft()).toBe(80);
      expect(svc.snapshot().stateVersion).toBe(v1);
      svc.record({ ...ok, success: false, status: 400 });
      expect(svc.stateVersion).toBe(v1);
      svc.record({ ...ok, ttftMs: 180 });
      svc.record({ ...ok, success: false, status: 503 });
      // The success that waited went first: the failure sees the events in order.
      expect(svc.stateVersion).not.toBe(v1);
      expect(cloudTtft()).toBe(100);
    });

    it('moves on a reload, and when an open breaker turns half-open', async () => {
      jest.useFakeTimers();
      // A service made under fake timers: its breakers read the faked clock.
      const timed = new RouterStateService({ config: parseConfig(yaml({ openMs: 5_000 })), logger: memoryLogger().logger });
      timed.record({ backend: 'local', model: 'qwen', success: false, status: 500 });
      timed.record({ backend: 'local', model: 'qwen', success: false, status: 500 });
      expect(timed.snapshot().backends[0].breaker).toBe('open');
      const v = timed.stateVersion;
      jest.advanceTimersByTime(4_900);
      expect(timed.stateVersion).toBe(v);
      jest.advanceTimersByTime(200);
      expect(timed.stateVersion).not.toBe(v);
      expect(timed.snapshot().backends[0].breaker).toBe('half_open');
      const before = svc.stateVersion;
      writeFileSync(path, yaml({ openMs: 50_000 }));
      expect(svc.reload()).toMatchObject({ ok: true });
      expect(svc.stateVersion).not.toBe(before);
      jest.useRealTimers();
      await timed.onApplicationShutdown();
    });

    it('differs between two routers', () => {
      const other = new RouterStateService({ config: parseConfig(yaml()), logger: memoryLogger().logger });
      expect(other.stateVersion).not.toBe(svc.stateVersion);
      return other.onApplicationShutdown();
    });
  });
});
