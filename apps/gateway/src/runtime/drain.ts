import type { Server } from 'node:http';
import { constants } from 'node:os';
import { Injectable } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { GatewayRuntime } from './gateway-runtime';

/** How a drain went: requests in flight when it began, those still running at its deadline (cut), and how long it took. */
export interface DrainReport {
  inFlight: number;
  cut: number;
  ms: number;
}

/**
 * Counts the requests in flight and, on shutdown, drains them: no new connections, idle
 * keep-alive ones closed, requests and streams in flight given until a deadline, then whatever
 * is left cut. Readiness reads `draining` to answer 503 from the first moment.
 */
@Injectable()
export class Drain {
  private active = 0;
  private apiActive = 0;
  private startedAt?: number;
  private server?: Server;
  /** Set by a drain waiting for the last response to close. */
  private idle?: () => void;

  get draining(): boolean {
    return this.startedAt !== undefined;
  }

  /** Requests being served, every route. */
  get inFlight(): number {
    return this.active;
  }

  /** Requests on `/v1` being served. */
  get apiInFlight(): number {
    return this.apiActive;
  }

  /** Starts counting `fastify`'s requests; before it is ready (hooks cannot be added after). */
  attach(fastify: FastifyInstance): void {
    const server = (this.server = fastify.server);
    fastify.addHook('onRequest', (req, reply, done) => {
      const api = req.url.startsWith('/v1/');
      this.active++;
      if (api) this.apiActive++;
      // A request that began during the drain, on a connection busy when it started: the connection ends with it.
      if (this.draining) reply.header('connection', 'close');
      reply.raw.once('close', () => {
        this.active--;
        if (api) this.apiActive--;
        if (this.active === 0) this.idle?.();
        // Its connection is idle now: close it, or a keep-alive client would hold the drain open until its deadline.
        if (this.draining) setImmediate(() => server.closeIdleConnections());
      });
      done();
    });
  }

  /**
   * Stops accepting connections and closes idle ones at once; waits until every connection has
   * ended or `timeoutMs` passed, then destroys what is left. Resolves once no connection is open.
   */
  async drain(timeoutMs: number): Promise<DrainReport> {
    const server = this.server;
    if (server === undefined) throw new Error('the drain is not attached to a server');
    const startedAt = (this.startedAt = performance.now());
    const inFlight = this.active;
    // Node's close() also closes idle keep-alive connections; its callback runs once the last connection ends.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), timeoutMs)));
    const ended = await Promise.race([closed, deadline]);
    clearTimeout(timer);
    let cut = 0;
    if (ended === 'deadline') {
      cut = this.active;
      server.closeAllConnections();
      await closed;
    }
    // A cut response's `close`, which emits its outcome (for the ledger), comes after its connection's: wait for the last.
    if (this.active > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    return { inFlight, cut, ms: Math.round(performance.now() - startedAt) };
  }
}

/** Signals this close together are one signal delivered twice. */
const SAME_SIGNAL_MS = 500;

/**
 * SIGTERM or SIGINT: drain (within `server.drainTimeoutMs`), close the application (providers'
 * shutdown hooks: the ledger flushes there), exit 0. A second signal exits at once.
 */
export function drainOnSignals(app: NestFastifyApplication, runtime: GatewayRuntime): void {
  const drain = app.get(Drain);
  const log = runtime.logger.child({ component: 'drain' });
  let signalledAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (drain.draining) {
      // Ctrl-C under `npm start` arrives twice at once (from the terminal, and forwarded by npm): that is one.
      if (performance.now() - signalledAt < SAME_SIGNAL_MS) return;
      log.warn({ signal, inFlight: drain.inFlight }, `${signal} during the drain: exiting now`);
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    signalledAt = performance.now();
    const timeoutMs = runtime.config.server.drainTimeoutMs;
    log.info(
      { signal, inFlight: drain.inFlight, timeoutMs },
      `${signal}: draining; no new connections, ${drain.inFlight} requests in flight have ${timeoutMs} ms to finish`,
    );
    drain
      .drain(timeoutMs)
      .then(async (report) => {
        const finished = Math.max(0, report.inFlight - report.cut);
        log.info(
          { ...report, finished },
          report.cut > 0
            ? `drain deadline: ${report.cut} requests still in flight were cut, ${finished} finished; closing`
            : `drained in ${report.ms} ms: ${finished} requests finished; closing`,
        );
        await app.close();
        log.info('closed');
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error({ error: (err as Error).message }, 'the shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
