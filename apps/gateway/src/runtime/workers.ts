import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { MemoryCounters, serveCounters, type IpcChannel } from '@switchyard/store';
import type { Logger } from '@switchyard/telemetry';
import { aggregateSnapshots, cumulative, foldSnapshots, type MetricsSnapshot } from '../metrics/cluster-metrics';
import { isWorkersMessage, WORKERS_MESSAGE, type WorkersMessage } from './worker-link';

/** Most workers SWITCHYARD_WORKERS may ask for. */
const MAX_WORKERS = 64;
/** Signals this close together are one signal delivered twice (Ctrl-C reaches the primary from the terminal and from npm). */
const SAME_SIGNAL_MS = 500;
/** After the drain deadline, how long workers get to close (flush the ledger) before they are killed. */
const CLOSE_GRACE_MS = 10_000;
/** How long a scrape waits for each worker's metrics. */
const SNAPSHOT_TIMEOUT_MS = 2_000;
/** A worker that ran this long before it exited is restarted without delay growth. */
const STABLE_MS = 60_000;

/**
 * SWITCHYARD_WORKERS: unset, empty or 1 is one process (no cluster); `auto` is one worker per
 * core; else a whole number of workers. Throws naming the variable.
 */
export function workerCount(env: NodeJS.ProcessEnv): number {
  const raw = env.SWITCHYARD_WORKERS?.trim();
  if (!raw) return 1;
  if (raw === 'auto') return availableParallelism();
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_WORKERS)
    throw new Error(`SWITCHYARD_WORKERS must be a whole number from 1 to ${MAX_WORKERS}, or auto (got "${raw}")`);
  return n;
}

/** The environment variable that tells a worker its slot (1…N); set by the primary only. */
export const WORKER_SLOT_ENV = 'SWITCHYARD_WORKER_SLOT';

export interface WorkerPoolOptions {
  count: number;
  logger: Logger;
  /** The drain deadline, read when a shutdown begins (the config may have been reloaded since the start). */
  drainTimeoutMs: () => number;
  /** Written to stdout once every worker listens. */
  banner: string;
}

interface Slot {
  n: number;
  worker?: Worker;
  channel?: IpcChannel;
  listening: boolean;
  startedAt: number;
  /** Exits in a row of workers that did not run STABLE_MS: each doubles the wait before the next start. */
  crashes: number;
  restart?: NodeJS.Timeout;
  /** Its metrics at the last scrape, kept in the totals if it exits. */
  snapshot?: MetricsSnapshot;
}

/**
 * The primary of SWITCHYARD_WORKERS: forks the workers, which share its listening socket (Node's
 * cluster hands each connection to one of them in turn), and serves them what must be one for
 * the whole gateway: the limit counters (a MemoryCounters here, asked over IPC, when there is no
 * Redis), news between workers (key revocations), and /metrics summed over all.
 * Signals: SIGTERM or SIGINT drain every worker and exit once all have (0 if all drained cleanly),
 * SIGHUP reloads the config in every worker. A worker that dies is started again, with a growing
 * delay while it keeps dying; one that fails before the gateway is up fails the start.
 */
export class WorkerPool {
  private readonly slots: Slot[];
  private readonly counters = new MemoryCounters();
  private started = false;
  private stopping?: { at: number; failed: boolean; deadline?: NodeJS.Timeout };
  /** What workers that exited had counted, summed: their counters stay in the totals rather than fall back. */
  private retired: Promise<MetricsSnapshot | undefined> = Promise.resolve(undefined);
  private readonly snapshots = new Map<number, (metrics: MetricsSnapshot | undefined) => void>();
  private nextId = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    this.slots = Array.from({ length: options.count }, (_, i) => ({ n: i + 1, listening: false, startedAt: 0, crashes: 0 }));
  }

  private get log(): Logger {
    return this.options.logger;
  }

  start(): void {
    cluster.on('exit', (worker, code, signal) => this.exited(worker, code, signal));
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => this.shutdown(signal));
    process.on('SIGHUP', () => {
      this.log.info({ workers: this.live().length }, 'SIGHUP: reloading the config in every worker');
      for (const s of this.live()) s.worker!.process.kill('SIGHUP');
    });
    for (const slot of this.slots) this.fork(slot);
    this.log.info({ workers: this.options.count, pid: process.pid }, `starting ${this.options.count} workers`);
  }

  private live(): Slot[] {
    return this.slots.filter((s) => s.worker !== undefined && s.worker.process.exitCode === null && s.worker.process.signalCode === null);
  }

  private fork(slot: Slot): void {
    slot.restart = undefined;
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(slot.n) });
    slot.worker = worker;
    slot.listening = false;
    slot.startedAt = Date.now();
    const channel: IpcChannel = {
      send: (message, sent) => {
        if (!worker.isConnected()) return sent(new Error('the worker is gone'));
        worker.send(message, (err: Error | null) => sent(err));
      },
      listen: (listener) => {
        worker.on('message', listener);
        return () => void worker.off('message', listener);
      },
    };
    slot.channel = channel;
    serveCounters(channel, this.counters);
    channel.listen((message) => {
      if (isWorkersMessage(message)) this.receive(slot, message);
    });
    worker.once('listening', () => {
      slot.listening = true;
      if (!this.started && this.slots.every((s) => s.listening)) {
        this.started = true;
        this.log.info({ workers: this.slots.map((s) => ({ worker: s.n, pid: s.worker?.process.pid })) }, 'every worker is listening');
        process.stdout.write(this.options.banner);
      }
    });
  }

  private receive(from: Slot, message: WorkersMessage): void {
    switch (message.kind) {
      case 'broadcast':
        for (const s of this.live()) if (s !== from) s.channel!.send(message, () => undefined);
        return;
      case 'scrape': {
        // This worker's channel, which says so if the worker is gone by the time the answer is ready.
        const channel = from.channel!;
        this.gather().then(
          (text) => channel.send({ type: WORKERS_MESSAGE, kind: 'scraped', id: message.id, text }, () => undefined),
          (err: unknown) => channel.send({ type: WORKERS_MESSAGE, kind: 'scraped', id: message.id, error: (err as Error).message }, () => undefined),
        );
        return;
      }
      case 'snapshotted':
        this.snapshots.get(message.id)?.(message.metrics);
        return;
      default:
        return;
    }
  }

  /** Every listening worker's metrics, summed with what exited workers had counted. */
  private async gather(): Promise<string> {
    const asked = this.live().filter((s) => s.listening);
    const workers = asked.map((s) => s.worker);
    const answers = await Promise.all(asked.map((s) => this.snapshotOf(s)));
    const got: MetricsSnapshot[] = [];
    answers.forEach((metrics, i) => {
      // One that exited meanwhile is in `retired` already, as of the scrape before.
      if (metrics === undefined || asked[i].worker !== workers[i]) return;
      asked[i].snapshot = metrics;
      got.push(metrics);
    });
    const retired = await this.retired;
    return aggregateSnapshots(retired === undefined ? got : [...got, retired], got.length);
  }

  private snapshotOf(slot: Slot): Promise<MetricsSnapshot | undefined> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      const done = (metrics: MetricsSnapshot | undefined): void => {
        this.snapshots.delete(id);
        clearTimeout(timer);
        resolve(metrics);
      };
      const timer = setTimeout(() => done(undefined), SNAPSHOT_TIMEOUT_MS);
      this.snapshots.set(id, done);
      slot.channel!.send({ type: WORKERS_MESSAGE, kind: 'snapshot', id }, (err) => {
        if (err !== null) done(undefined);
      });
    });
  }

  private exited(worker: Worker, code: number | null, signal: string | null): void {
    const slot = this.slots.find((s) => s.worker === worker);
    if (slot === undefined) return;
    slot.worker = undefined;
    slot.channel = undefined;
    const last = slot.snapshot;
    slot.snapshot = undefined;
    if (last !== undefined) {
      this.retired = this.retired
        .then((before) => foldSnapshots(before === undefined ? [cumulative(last)] : [before, cumulative(last)]))
        .catch(() => undefined);
    }
    const ran = Date.now() - slot.startedAt;
    if (this.stopping !== undefined) {
      if (code !== 0) this.stopping.failed = true;
      this.log.info({ worker: slot.n, pid: worker.process.pid, code, signal }, `worker ${slot.n} exited`);
      this.finishIfDone();
      return;
    }
    if (!this.started) {
      this.log.error({ worker: slot.n, code, signal }, `worker ${slot.n} exited before the gateway was up: stopping`);
      this.stop('SIGTERM', true);
      return;
    }
    slot.crashes = ran >= STABLE_MS ? 0 : slot.crashes + 1;
    const delayMs = slot.crashes === 0 ? 0 : Math.min(30_000, 250 * 2 ** slot.crashes);
    this.log.error({ worker: slot.n, pid: worker.process.pid, code, signal, restartInMs: delayMs }, `worker ${slot.n} exited unexpectedly: starting another`);
    slot.restart = setTimeout(() => this.fork(slot), delayMs);
  }

  private shutdown(signal: NodeJS.Signals): void {
    if (this.stopping !== undefined) {
      if (Date.now() - this.stopping.at < SAME_SIGNAL_MS) return;
      this.log.warn({ signal }, `${signal} during the drain: the workers exit now`);
      for (const s of this.live()) s.worker!.process.kill(signal);
      return;
    }
    this.stop(signal, false);
  }

  /** Drains every worker (`signal` forwarded) and exits once all have exited, 1 if `failed` or any did not exit cleanly. */
  private stop(signal: NodeJS.Signals, failed: boolean): void {
    const limitMs = this.options.drainTimeoutMs() + CLOSE_GRACE_MS;
    const deadline = setTimeout(() => {
      this.log.error({ workers: this.live().map((s) => s.n) }, `workers still running ${limitMs} ms after ${signal}: killing them`);
      this.stopping!.failed = true;
      for (const s of this.live()) s.worker!.process.kill('SIGKILL');
    }, limitMs);
    this.stopping = { at: Date.now(), failed, deadline };
    for (const s of this.slots) clearTimeout(s.restart);
    const live = this.live();
    if (!failed) this.log.info({ signal, workers: live.length }, `${signal}: draining ${live.length} workers`);
    for (const s of live) s.worker!.process.kill(signal);
    this.finishIfDone();
  }

  private finishIfDone(): void {
    if (this.live().length > 0) return;
    clearTimeout(this.stopping?.deadline);
    const failed = this.stopping?.failed === true;
    this.log.info({}, failed ? 'workers stopped' : 'every worker drained and exited');
    // Past pino's asynchronous buffer: the logger flushes on exit.
    process.exit(failed ? 1 : 0);
  }
}
