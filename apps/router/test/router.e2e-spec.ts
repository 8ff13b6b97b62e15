import { renameSync, writeFileSync } from 'node:fs';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { parseConfig } from '@switchyard/contracts';
import { ROUTER_SERVICE, type BackendStatesMsg } from '@switchyard/contracts/router';
import { startFakeLlm } from '@switchyard/fake-llm';
import { BackendStateRegistry, PolicyEngine, fromDecideResponse } from '@switchyard/policy';
import { InFlightView } from '../src/state/in-flight.view';
import { configYaml, features, startRouterStack, TestRouterClient, waitFor, type RouterStack } from './router-harness.mock';

/** The router over real gRPC on 127.0.0.1, probing fake-llm backends over real HTTP. */
describe('router (gRPC, in-process)', () => {
  let stack: RouterStack;
  let client: TestRouterClient;

  beforeEach(async () => {
    stack = await startRouterStack();
    client = new TestRouterClient(stack.router.address);
  });

  afterEach(async () => {
    client.close();
    await stack.close();
  });

  const backendIn = (s: BackendStatesMsg | undefined, name: string) => s?.backends.find((b) => b.name === name);
  const latest = (states: BackendStatesMsg[]) => states[states.length - 1];

  describe('Decide', () => {
    it("answers the engine's chain for a public model", async () => {
      const res = await client.decide(features('chat'));
      expect(res.modelFound).toBe(true);
      expect(res.route).toBe('model:chat');
      expect(res.candidates.map((c) => [c.backend, c.model, c.tier])).toEqual([
        ['local', 'llama', 'local'],
        ['cloud', 'gpt', 'cloud'],
      ]);
      const config = parseConfig(configYaml(stack.backends));
      expect(fromDecideResponse(res)).toEqual(new PolicyEngine(config).decide(features('chat'), new BackendStateRegistry(config)));
    });

    it("lays the caller's in-flight counts over the router's state", async () => {
      const inFlight = { local: 64 }; // maxConcurrency defaults to 64: saturated
      const res = await client.decide(features('chat'), inFlight);
      expect(res.candidates.map((c) => c.backend)).toEqual(['cloud', 'local']);
      expect(res.candidates[1].reason).toMatch(/spilled: saturated \(64\/64/);
      const config = parseConfig(configYaml(stack.backends));
      const view = new InFlightView(new BackendStateRegistry(config), inFlight);
      expect(fromDecideResponse(res)).toEqual(new PolicyEngine(config).decide(features('chat'), view));
    });

    it('answers model_found=false for an unknown model', async () => {
      const res = await client.decide(features('no-such-model'));
      expect(res.modelFound).toBe(false);
      expect(res.candidates).toEqual([]);
      expect(fromDecideResponse(res)).toBeUndefined();
    });

    it('carries the privacy verdict', async () => {
      const res = await client.decide(features('chat', { pii: ['email'] }));
      expect(res.privacy).toEqual({ categories: ['email'], action: 'allow', unscannable: [] });
    });
  });

  describe('ReportOutcomes', () => {
    it('opens the breaker on repeated failures: dropped in the next Decide and open in WatchBackends', async () => {
      const watch = client.watch();
      await waitFor(() => watch.states.length > 0, 2_000, 'the first WatchBackends message');
      expect(backendIn(watch.states[0], 'local')).toMatchObject({ healthy: true, breaker: 'closed', breakerOpenedAtUnixMs: 0 });

      const failure = { backend: 'local', model: 'llama', success: false, status: 503 };
      const summary = await client.report([failure, failure, failure, failure]);
      expect(summary).toEqual({ received: 4 });

      const res = await client.decide(features('chat'));
      // Still listed, after the live ones, for panic routing only.
      expect(res.candidates.map((c) => [c.backend, c.panic])).toEqual([
        ['cloud', false],
        ['local', true],
      ]);
      expect(res.dropped).toEqual([{ backend: 'local', model: 'llama', tier: 'local', reason: 'circuit open', param: '', code: 'circuit_open' }]);

      // A change is pushed at once, not at the next heartbeat.
      const open = await waitFor(
        () => backendIn(latest(watch.states), 'local')?.breaker === 'open' && latest(watch.states),
        1_000,
        'breaker open in WatchBackends',
      );
      expect(backendIn(open, 'local')!.breakerOpenedAtUnixMs).toBeGreaterThan(Date.now() - 10_000);
      watch.call.cancel();
      expect(await watch.ended).toMatchObject({ code: GrpcStatus.CANCELLED });
    });

    it('records latency statistics from successes, publishing them within a second under a new state version', async () => {
      const before = stack.router.state.stateVersion;
      await client.report([{ backend: 'cloud', model: 'gpt', success: true, status: 200, ttftMs: 120, outputTokens: 50, durationMs: 1120 }]);
      const state = await waitFor(
        () => (stack.router.state.stateVersion !== before ? backendIn(stack.router.state.snapshot(), 'cloud') : undefined),
        3_000,
        'latency figures published',
      );
      expect(state).toMatchObject({ ttftMs: 120, tokensPerSec: 50 });
    });

    it('answers an empty stream with received=0', async () => {
      expect(await client.report([])).toEqual({ received: 0 });
    });
  });

  describe('WatchBackends', () => {
    it('sends the full state at once and a heartbeat at least every 2 s', async () => {
      const watch = client.watch();
      await waitFor(() => watch.states.length > 0, 1_000, 'the first message');
      expect(watch.states[0].backends.map((b) => [b.name, b.tier])).toEqual([
        ['local', 'local'],
        ['cloud', 'cloud'],
      ]);
      const first = watch.states.length;
      await waitFor(() => watch.states.length > first, 2_600, 'a heartbeat');
      watch.call.cancel();
      await watch.ended;
    }, 10_000);
  });

  describe('active probes', () => {
    it('marks a killed backend unhealthy after N failed probes and healthy again when it returns on its port', async () => {
      const watch = client.watch();
      const port = stack.fakes.get('local')!.port;
      await stack.fakes.get('local')!.close();

      const down = await waitFor(() => backendIn(latest(watch.states), 'local')?.healthy === false && latest(watch.states), 3_000, 'local unhealthy');
      expect(backendIn(down, 'local')!.lastError).not.toBe('');
      const res = await client.decide(features('chat'));
      expect(res.dropped).toEqual([{ backend: 'local', model: 'llama', tier: 'local', reason: 'health probes failing', param: '', code: 'unhealthy' }]);
      expect(stack.lines.some((l) => l.msg === 'backend unhealthy: probes failing' && l.backend === 'local')).toBe(true);

      stack.fakes.set('local', await startFakeLlm({ protocol: 'openai', models: ['llama'], port }));
      await waitFor(() => backendIn(latest(watch.states), 'local')?.healthy === true, 3_000, 'local healthy again');
      expect((await client.decide(features('chat'))).dropped).toEqual([]);
      expect(stack.lines.some((l) => l.msg === 'backend healthy: probes pass again' && l.backend === 'local')).toBe(true);
      watch.call.cancel();
      await watch.ended;
    });

    it('takes N probes, not one, to mark a backend down', async () => {
      const watch = client.watch();
      await waitFor(() => watch.states.length > 0, 1_000, 'the first message');
      const closedAt = Date.now();
      await stack.fakes.get('cloud')!.close();
      await waitFor(() => backendIn(latest(watch.states), 'cloud')?.healthy === false, 3_000, 'cloud unhealthy');
      // failuresToDown: 2 probes 100 ms apart, so not before the second one.
      expect(Date.now() - closedAt).toBeGreaterThanOrEqual(80);
      expect(backendIn(latest(watch.states), 'local')?.healthy).toBe(true);
      watch.call.cancel();
      await watch.ended;
    });
  });

  describe('grpc.health.v1', () => {
    it('answers SERVING for the server and the Router service, NOT_FOUND for others', async () => {
      expect(await client.check('')).toEqual({ status: 'SERVING' });
      expect(await client.check(ROUTER_SERVICE)).toEqual({ status: 'SERVING' });
      await expect(client.check('no.such.Service')).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    });

    it('Watch streams SERVING, then NOT_SERVING when the router shuts down; SERVICE_UNKNOWN for unknown services', async () => {
      const watch = client.healthWatch('');
      const unknown = client.healthWatch('no.such.Service');
      const backends = client.watch();
      await waitFor(() => watch.statuses.length > 0 && unknown.statuses.length > 0 && backends.states.length > 0, 2_000, 'first statuses');
      expect(watch.statuses).toEqual(['SERVING']);
      expect(unknown.statuses).toEqual(['SERVICE_UNKNOWN']);

      const started = Date.now();
      await stack.router.close();
      expect(Date.now() - started).toBeLessThan(2500); // every stream ended on its own; nothing waited out the 4 s drain
      expect(await watch.ended).toBeUndefined(); // ended with OK, not cut off
      expect(watch.statuses).toEqual(['SERVING', 'NOT_SERVING']);
      expect(await backends.ended).toBeUndefined();
    });
  });

  describe('config hot reload', () => {
    const withModel = (extra: string) => configYaml(stack.backends).replace('models:\n', `models:\n${extra}`);

    it('applies a valid file and keeps the state of backends that stay', async () => {
      const failure = { backend: 'local', model: 'llama', success: false, status: 500 };
      await client.report([failure, failure, failure]);
      expect(stack.router.state.snapshot().backends[0].breaker).toBe('open');

      writeFileSync(stack.configPath, withModel('  - name: fast\n    targets:\n      - { backend: cloud, model: gpt }\n'));
      expect(stack.router.reload()).toEqual({ ok: true, changed: true });
      expect(stack.lines.some((l) => l.msg === 'config reloaded')).toBe(true);

      const res = await client.decide(features('fast'));
      expect(res.modelFound).toBe(true);
      expect(res.candidates.map((c) => c.backend)).toEqual(['cloud']);
      // The open breaker came along.
      expect((await client.decide(features('chat'))).dropped).toEqual([
        { backend: 'local', model: 'llama', tier: 'local', reason: 'circuit open', param: '', code: 'circuit_open' },
      ]);
    });

    it('keeps the running config when the file is invalid, and says which field', async () => {
      writeFileSync(stack.configPath, configYaml(stack.backends).replace('protocol: openai', 'protocol: gopher'));
      const result = stack.router.reload();
      expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/backends\[0\]\.protocol/) });
      const logged = stack.lines.find((l) => l.level >= 50 && /config reload failed/.test(l.msg));
      expect(logged?.msg).toMatch(/backends\[0\]\.protocol/);
      expect((await client.decide(features('chat'))).candidates).toHaveLength(2);
    });

    it('drops removed backends and models', async () => {
      writeFileSync(stack.configPath, configYaml(stack.backends.slice(1)));
      expect(stack.router.reload()).toMatchObject({ ok: true });
      expect((await client.decide(features('llama'))).modelFound).toBe(false);
      expect(stack.router.state.snapshot().backends.map((b) => b.name)).toEqual(['cloud']);
    });

    it('reloads on SIGHUP', async () => {
      writeFileSync(stack.configPath, withModel('  - name: hup\n    targets:\n      - { backend: local, model: llama }\n'));
      process.emit('SIGHUP', 'SIGHUP');
      expect((await client.decide(features('hup'))).modelFound).toBe(true);
    });

    it('lets every Decide complete while configs swap under it', async () => {
      const variants = [configYaml(stack.backends), withModel('  - name: other\n    targets:\n      - { backend: cloud, model: gpt }\n')];
      let swaps = 0;
      const swapper = setInterval(() => {
        writeFileSync(stack.configPath, variants[swaps++ % 2]);
        stack.router.reload();
      }, 2);
      try {
        const answers = await Promise.all(Array.from({ length: 300 }, () => client.decide(features('chat'))));
        expect(answers.every((a) => a.modelFound && a.candidates.length === 2)).toBe(true);
      } finally {
        clearInterval(swapper);
      }
      expect(swaps).toBeGreaterThan(1);
    });
  });

  describe('config file watch', () => {
    let watched: RouterStack;
    let watchedClient: TestRouterClient;

    beforeEach(async () => {
      watched = await startRouterStack({ watchConfig: true });
      watchedClient = new TestRouterClient(watched.router.address);
    });

    afterEach(async () => {
      watchedClient.close();
      await watched.close();
    });

    it('reloads when the file changes, including an editor-style replace, and ignores an invalid save', async () => {
      const base = configYaml(watched.backends);
      writeFileSync(watched.configPath, base.replace('models:\n', 'models:\n  - name: edited\n    targets:\n      - { backend: cloud, model: gpt }\n'));
      await waitFor(async () => (await watchedClient.decide(features('edited'))).modelFound, 3_000, 'the edited model');

      // Write-to-temp-then-rename, as editors save.
      const tmp = `${watched.configPath}.swp`;
      writeFileSync(tmp, base.replace('models:\n', 'models:\n  - name: renamed\n    targets:\n      - { backend: local, model: llama }\n'));
      renameSync(tmp, watched.configPath);
      await waitFor(async () => (await watchedClient.decide(features('renamed'))).modelFound, 3_000, 'the renamed-in model');

      writeFileSync(watched.configPath, 'backends: [');
      await waitFor(() => watched.lines.some((l) => /config reload failed/.test(l.msg)), 3_000, 'the reload error');
      expect((await watchedClient.decide(features('renamed'))).modelFound).toBe(true);
    });
  });

  it('still answers a restart on the same port', async () => {
    const port = stack.router.port;
    await stack.router.close();
    await expect(client.decide(features('chat'))).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE } satisfies Partial<ServiceError>);
    await stack.restart(port);
    await waitFor(async () => (await client.decide(features('chat')).catch(() => undefined))?.modelFound, 8_000, 'the restarted router');
  });
});
