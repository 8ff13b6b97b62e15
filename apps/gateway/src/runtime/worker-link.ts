import type { IpcChannel } from '@switchyard/store';
import type { MetricsSnapshot } from '../metrics/cluster-metrics';

/** The type of every message between the primary and its workers other than the counters'. */
export const WORKERS_MESSAGE = 'switchyard:workers';

/**
 * What the primary and its workers say to each other besides the limit counters:
 * - `broadcast`: a worker's news for every other worker (key revocations); the primary relays it;
 * - `scrape` / `scraped`: a worker asks the primary for the whole gateway's metrics, and gets them as text;
 * - `snapshot` / `snapshotted`: the primary asks each worker for its own metrics, as JSON.
 */
export type WorkersMessage = { type: typeof WORKERS_MESSAGE } & (
  | { kind: 'broadcast'; topic: string; body: unknown }
  | { kind: 'scrape'; id: number }
  | { kind: 'scraped'; id: number; text?: string; error?: string }
  | { kind: 'snapshot'; id: number }
  | { kind: 'snapshotted'; id: number; metrics?: MetricsSnapshot; error?: string }
);

export function isWorkersMessage(message: unknown): message is WorkersMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === WORKERS_MESSAGE;
}

/** Longest a scrape waits for the primary to gather every worker's metrics. */
const SCRAPE_TIMEOUT_MS = 5_000;

/** This process's IPC channel to its primary (a cluster worker's `process`). */
export function processChannel(): IpcChannel {
  return {
    send(message, sent) {
      if (process.send === undefined) {
        sent(new Error('no IPC channel'));
        return;
      }
      // With a callback, a closed channel is reported to it instead of as an 'error' event on the process.
      process.send(message, (err: Error | null) => sent(err));
    },
    listen(listener) {
      process.on('message', listener);
      return () => void process.off('message', listener);
    },
  };
}

/**
 * A worker's line to the primary of SWITCHYARD_WORKERS: the channel the limit counters are asked
 * over (IpcCounters), news for the other workers, and the whole gateway's metrics for a scrape.
 */
export class WorkerLink {
  private readonly topics = new Map<string, Set<(body: unknown) => void>>();
  private readonly scrapes = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  private nextId = 0;
  private snapshot?: () => Promise<MetricsSnapshot>;

  constructor(
    /** 1 to SWITCHYARD_WORKERS: which worker this is; a worker started in place of one that exited keeps its slot. */
    readonly slot: number,
    readonly channel: IpcChannel,
  ) {
    channel.listen((message) => {
      if (isWorkersMessage(message)) this.receive(message);
    });
  }

  /** Tells every other worker (not this one). Never throws: a message lost with the primary is lost. */
  broadcast(topic: string, body: unknown): void {
    this.send({ type: WORKERS_MESSAGE, kind: 'broadcast', topic, body });
  }

  /** Calls `listener` with what other workers broadcast on `topic`; returns what stops it. */
  onBroadcast(topic: string, listener: (body: unknown) => void): () => void {
    let set = this.topics.get(topic);
    if (set === undefined) this.topics.set(topic, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  /** What this worker answers when the primary gathers metrics. */
  serveMetrics(snapshot: () => Promise<MetricsSnapshot>): void {
    this.snapshot = snapshot;
  }

  /** The exposition of every worker's metrics, aggregated by the primary. */
  clusterMetrics(): Promise<string> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.settleScrape(id, undefined, 'the primary did not answer in time'), SCRAPE_TIMEOUT_MS);
      this.scrapes.set(id, { resolve, reject, timer });
      this.channel.send({ type: WORKERS_MESSAGE, kind: 'scrape', id } satisfies WorkersMessage, (err) => {
        if (err !== null) this.settleScrape(id, undefined, err.message);
      });
    });
  }

  private receive(message: WorkersMessage): void {
    switch (message.kind) {
      case 'broadcast':
        for (const listener of this.topics.get(message.topic) ?? []) listener(message.body);
        return;
      case 'scraped':
        this.settleScrape(message.id, message.text, message.error);
        return;
      case 'snapshot': {
        const id = message.id;
        const taking = this.snapshot?.() ?? Promise.reject(new Error('no metrics yet'));
        taking.then(
          (metrics) => this.send({ type: WORKERS_MESSAGE, kind: 'snapshotted', id, metrics }),
          (err: unknown) => this.send({ type: WORKERS_MESSAGE, kind: 'snapshotted', id, error: (err as Error).message }),
        );
        return;
      }
      default:
        return;
    }
  }

  private settleScrape(id: number, text: string | undefined, error: string | undefined): void {
    const waiting = this.scrapes.get(id);
    if (waiting === undefined) return;
    this.scrapes.delete(id);
    clearTimeout(waiting.timer);
    if (text !== undefined) waiting.resolve(text);
    else waiting.reject(new Error(`metrics of the other workers: ${error ?? 'no answer'}`));
  }

  private send(message: WorkersMessage): void {
    this.channel.send(message, () => undefined);
  }
}
