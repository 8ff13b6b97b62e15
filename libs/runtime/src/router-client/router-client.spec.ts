import { createServer } from 'node:net';
import { Server, ServerCredentials, status as GrpcStatus, type ServerReadableStream, type sendUnaryData } from '@grpc/grpc-js';
import type { OutcomeBatchMsg, OutcomeMsg, ReportSummaryMsg } from '@switchyard/contracts/router';
import { loadRouterProto } from '../router-proto';
import { features, memoryLogger, timed, waitFor } from '../testing.mock';
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

describe('RouterClient and no router', () => {
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
