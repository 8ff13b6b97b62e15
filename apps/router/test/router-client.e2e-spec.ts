import type { BackendStatesMsg } from '@switchyard/contracts/router';
import { RouterClient } from '@switchyard/runtime';
import { timed } from '@switchyard/runtime/testing.mock';
import { features, memoryLogger, startRouterStack, waitFor, type RouterStack } from './router-harness.mock';

// Generous: a first call on a busy machine spends 200 ms and more on name resolution alone.
const DEADLINE_MS = 1_000;

/** The gateway's RouterClient (libs/runtime) against this router, in process, over real gRPC. */
describe('RouterClient against an in-process router', () => {
  let stack: RouterStack;
  let client: RouterClient;
  let states: BackendStatesMsg[];

  beforeEach(async () => {
    stack = await startRouterStack();
    states = [];
    client = new RouterClient(stack.router.address, { decideDeadlineMs: DEADLINE_MS, logger: memoryLogger().logger, onStates: (s) => states.push(s) });
  });

  afterEach(async () => {
    await client.close();
    await stack.close();
  });

  it('decides over gRPC, lazily connecting on the first call', async () => {
    expect(client.connected).toBe(false);
    const decision = await client.decide(features('chat'), { local: 1 });
    expect(decision).toMatchObject({ route: 'model:chat', strategy: 'local-first', dropped: [] });
    expect(decision!.candidates.map((c) => [c.backend, c.model, c.tier])).toEqual([
      ['local', 'llama', 'local'],
      ['cloud', 'gpt', 'cloud'],
    ]);
    expect(decision!.candidates[0].reason).toMatch(/\(1\/64 in flight\)/);
    expect(await client.decide(features('no-such-model'), {})).toBeUndefined();
    expect(client.connected).toBe(true);
  });

  it('passes WatchBackends states to onStates, at once and on changes', async () => {
    client.start();
    await waitFor(() => states.length > 0, 2_000, 'the first states');
    expect(states[0].backends.map((b) => [b.name, b.healthy, b.breaker])).toEqual([
      ['local', true, 'closed'],
      ['cloud', true, 'closed'],
    ]);
    expect(client.connected).toBe(true);

    for (let i = 0; i < 3; i++) client.report({ backend: 'cloud', model: 'gpt', success: false, status: 502 });
    await waitFor(() => states[states.length - 1].backends[1].breaker === 'open', 2_000, 'the breaker change to arrive');
  });

  it('decides over the long-lived DecideStream once it is open, with the same answers', async () => {
    expect(client.streaming).toBe(false);
    client.start();
    await waitFor(() => client.streaming, 2_000, 'the decide stream to open');
    const answers = await Promise.all(['chat', 'no-such-model', 'chat'].map((m) => client.decide(features(m), {})));
    expect(answers[0]).toMatchObject({ route: 'model:chat' });
    expect(answers[1]).toBeUndefined();
    expect(answers[2]!.candidates.map((c) => c.backend)).toEqual(['local', 'cloud']);
    expect(client.streaming).toBe(true);
  });

  it('rejects within the deadline once the router is gone', async () => {
    client.start();
    // Connected first (a first call on a busy machine may itself outlast the deadline).
    for (let i = 0; i < 10; i++)
      if (
        await client.decide(features('chat'), {}).then(
          () => true,
          () => false,
        )
      )
        break;
    await stack.router.close();
    await waitFor(() => !client.connected, 2_000, 'the client to notice');

    for (let i = 0; i < 3; i++) {
      const { ms, error } = await timed(client.decide(features('chat'), {}));
      expect(error).toMatchObject({ code: expect.any(Number) });
      expect(ms).toBeLessThan(DEADLINE_MS + 1500);
    }
  });

  it('keeps reporting across a router restart, delivering what was reported while it was down', async () => {
    client.start();
    client.report({ backend: 'cloud', model: 'gpt', success: true, status: 200, ttftMs: 100, outputTokens: 11, durationMs: 600 });
    await waitFor(() => stack.router.state.snapshot().backends[1].ttftMs === 100, 2_000, 'the first outcome');

    const port = stack.router.port;
    await stack.router.close();
    await waitFor(() => !client.connected, 2_000, 'the client to notice');
    // Reported while no router runs: must neither throw nor block, and must arrive later.
    const failure = { backend: 'local', model: 'llama', success: false, status: 503 };
    for (let i = 0; i < 3; i++) expect(() => client.report(failure)).not.toThrow();

    const restarted = await stack.restart(port);
    await waitFor(() => restarted.state.snapshot().backends[0].breaker === 'open', 8_000, 'the outcomes reported while down');
    await waitFor(() => client.connected, 8_000, 'the watch to come back');
    const before = states.length;
    await waitFor(() => states.length > before, 3_000, 'states from the new router');
    expect(states[states.length - 1].backends[0].breaker).toBe('open');
  }, 20_000);

  it('bounds what it keeps while no stream is open, dropping the oldest, and never throws', () => {
    // Not started: nothing is sent, everything waits.
    for (let i = 0; i < 1_500; i++) client.report({ backend: 'local', model: 'llama', success: true, status: 200, durationMs: i });
    const pending = (client as unknown as { pending: { durationMs?: number }[] }).pending;
    expect(pending).toHaveLength(1_000);
    expect(pending[0].durationMs).toBe(500);
  });

  it('is inert after close()', async () => {
    client.start();
    await client.close();
    expect(() => client.report({ backend: 'local', model: 'llama', success: true, status: 200 })).not.toThrow();
    await expect(client.decide(features('chat'), {})).rejects.toThrow(/closed/);
  });
});
