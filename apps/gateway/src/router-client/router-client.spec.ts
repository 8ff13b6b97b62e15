import { createServer } from 'node:net';
import { Server, ServerCredentials, status as GrpcStatus, type ServerReadableStream, type sendUnaryData } from '@grpc/grpc-js';
import { loadRouterProto, type BackendStatesMsg, type OutcomeBatchMsg, type OutcomeMsg, type ReportSummaryMsg } from '@switchyard/contracts/router';
import { features, memoryLogger, startRouterStack, waitFor, type RouterStack } from '../../../router/test/router-harness.mock';
import { RouterClient } from './router-client';

const DEADLINE_MS = 250;

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function timed<T>(p: Promise<T>): Promise<{ ms: number; result?: T; error?: unknown }> {
  const t0 = performance.now();
  try {
    const result = await p;
    return { ms: performance.now() - t0, result };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

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
    await client.decide(features('chat'), {});
    await stack.router.close();
    await waitFor(() => !client.connected, 2_000, 'the client to notice');

    for (let i = 0; i < 3; i++) {
      const { ms, error } = await timed(client.decide(features('chat'), {}));
      expect(error).toMatchObject({ code: expect.any(Number) });
      expect(ms).toBeLessThan(DEADLINE_MS + 1500);
    }
  });

  it('rejects fast when nothing listens at all', async () => {
    const lonely = new RouterClient(`127.0.0.1:${await deadPort()}`, { decideDeadlineMs: DEADLINE_MS, logger: memoryLogger().logger });
    try {
      const { ms, error } = await timed(lonely.decide(features('chat'), {}));
      expect(error).toMatchObject({ code: GrpcStatus.UNAVAILABLE });
      expect(ms).toBeLessThan(DEADLINE_MS + 1500);
      expect(lonely.connected).toBe(false);
    } finally {
      await lonely.close();
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

/**
 * A bare gRPC Router service that implements only what it is given (grpc-js answers UNIMPLEMENTED
 * to the rest) and records every report message it reads.
 */
async function reportSink(kinds: {
  batches: boolean;
}): Promise<{ address: string; messages: (OutcomeBatchMsg | OutcomeMsg)[]; outcomes: () => number; close: () => Promise<void> }> {
  const messages: (OutcomeBatchMsg | OutcomeMsg)[] = [];
  const server = new Server();
  const sink =
    <T extends OutcomeBatchMsg | OutcomeMsg>() =>
    (call: ServerReadableStream<T, ReportSummaryMsg>, done: sendUnaryData<ReportSummaryMsg>): void => {
      call.on('data', (m: T) => messages.push(m));
      call.on('end', () => done(null, { received: messages.length }));
      call.on('error', () => undefined);
    };
  server.addService(
    loadRouterProto().router as never,
    kinds.batches ? { ReportOutcomeBatches: sink<OutcomeBatchMsg>() } : { ReportOutcomes: sink<OutcomeMsg>() },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    messages,
    outcomes: () => messages.reduce((n, m) => n + ('outcomes' in m ? m.outcomes.length : 1), 0),
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

describe('RouterClient outcome reports', () => {
  const outcome = (i: number) => ({ backend: 'local', model: 'llama', success: true, status: 200, durationMs: i });

  it('sends outcomes reported close together as one ReportOutcomeBatches message, in order', async () => {
    const sink = await reportSink({ batches: true });
    const client = new RouterClient(sink.address, { decideDeadlineMs: DEADLINE_MS, logger: memoryLogger().logger });
    try {
      client.start();
      for (let i = 0; i < 20; i++) client.report(outcome(i));
      await waitFor(() => sink.outcomes() === 20, 3_000, '20 outcomes at the sink');
      // Reported within one flush interval: a single message (two if a flush fell between them).
      expect(sink.messages.length).toBeLessThanOrEqual(2);
      const durations = sink.messages.flatMap((m) => ('outcomes' in m ? m.outcomes : [m])).map((o) => o.durationMs);
      expect(durations).toEqual([...Array(20).keys()]);
    } finally {
      await client.close();
      await sink.close();
    }
  });

  it('delivers what waited for the next flush when it closes', async () => {
    const sink = await reportSink({ batches: true });
    const client = new RouterClient(sink.address, { decideDeadlineMs: DEADLINE_MS, logger: memoryLogger().logger });
    try {
      client.start();
      await waitFor(() => (client as unknown as { reportCall?: unknown }).reportCall !== undefined, 3_000, 'the report stream');
      client.report(outcome(1));
      await client.close();
      await waitFor(() => sink.outcomes() === 1, 3_000, 'the last outcome at the sink');
    } finally {
      await sink.close();
    }
  });

  it('falls back to one outcome per ReportOutcomes message when the router has no ReportOutcomeBatches', async () => {
    const sink = await reportSink({ batches: false });
    const { logger, lines } = memoryLogger();
    const client = new RouterClient(sink.address, { decideDeadlineMs: DEADLINE_MS, logger });
    try {
      client.start();
      for (let i = 0; i < 5; i++) client.report(outcome(i));
      // The first batch may be lost to the UNIMPLEMENTED stream; what follows must arrive.
      await waitFor(() => lines.some((l) => /no ReportOutcomeBatches/.test(String(l.msg))), 3_000, 'the fallback log line');
      for (let i = 5; i < 10; i++) client.report(outcome(i));
      await waitFor(() => sink.messages.some((m) => (m as OutcomeMsg).durationMs === 9), 3_000, 'outcomes over ReportOutcomes');
      expect(sink.messages.every((m) => !('outcomes' in m))).toBe(true);
    } finally {
      await client.close();
      await sink.close();
    }
  });
});

describe('RouterClient and a router that accepts calls but never answers (hung)', () => {
  it('stops waiting after a few missed deadlines, then probes it in the background until it answers', async () => {
    let answering = false;
    const server = new Server();
    server.addService(loadRouterProto().router as never, {
      Decide: (_call: unknown, done: sendUnaryData<{ modelFound: boolean }>) => {
        if (answering) done(null, { modelFound: false });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const client = new RouterClient(`127.0.0.1:${port}`, { decideDeadlineMs: DEADLINE_MS, logger: memoryLogger().logger });
    try {
      for (let i = 0; i < 3; i++) {
        const slow = await timed(client.decide(features('chat'), {}));
        expect(slow.error).toBeDefined();
        expect(slow.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
      }
      expect(client.tripped).toBe(true);
      const fast = await timed(client.decide(features('chat'), {}));
      expect(fast.error).toBeDefined();
      expect(fast.ms).toBeLessThan(50);

      answering = true;
      let answered = false;
      for (let i = 0; i < 40 && !answered; i++) {
        const r = await timed(client.decide(features('chat'), {}));
        answered = r.error === undefined;
        if (!answered) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(answered).toBe(true);
      expect(client.tripped).toBe(false);
    } finally {
      await client.close();
      server.forceShutdown();
    }
  });
});
