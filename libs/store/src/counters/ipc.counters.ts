import { assertCharges, assertDeltas, type CounterCharge, type CounterDelta, type Counters, type CounterVerdict } from './counters';

/**
 * A message line between two processes: in a worker, `process` (its IPC channel to the primary);
 * in the primary, one cluster `Worker`. Messages are plain JSON-able objects.
 */
export interface IpcChannel {
  /** Sends one message; `sent` gets an error when the channel is closed (the other process is gone). */
  send(message: object, sent: (err: Error | null) => void): void;
  /** Calls `listener` with every message that arrives; returns what stops it. */
  listen(listener: (message: unknown) => void): () => void;
}

/** The type every counters message carries, so they share a channel with other messages. */
export const COUNTERS_MESSAGE = 'switchyard:counters';

interface CountersRequest {
  type: typeof COUNTERS_MESSAGE;
  id: number;
  checkAndAdd?: CounterCharge[];
  adjust?: CounterDelta[];
}

interface CountersReply {
  type: typeof COUNTERS_MESSAGE;
  id: number;
  verdict?: CounterVerdict;
  error?: { name: string; message: string };
}

/** The process holding the counters did not answer, or cannot be reached: the caller's fail mode decides. */
export class CountersPrimaryUnavailableError extends Error {
  constructor(reason: string) {
    super(`The primary process holding the limit counters is unavailable (${reason}).`);
    this.name = 'CountersPrimaryUnavailableError';
  }
}

interface Pending {
  resolve: (verdict: CounterVerdict | undefined) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Counters held by another process (the primary of SWITCHYARD_WORKERS, in a MemoryCounters) and
 * asked over IPC: one message out and one back per call, so every worker counts into the same
 * windows and a limit is never multiplied by the number of workers. The primary answers calls one
 * at a time, in the order they arrive, which keeps checkAndAdd atomic across workers.
 */
export class IpcCounters implements Counters {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private readonly stop: () => void;

  constructor(
    private readonly channel: IpcChannel,
    /** Longest a call may wait for the primary: a stuck primary must not stall every limited request. */
    private readonly timeoutMs = 1_000,
  ) {
    this.stop = channel.listen((message) => this.settle(message));
  }

  async checkAndAdd(charges: readonly CounterCharge[]): Promise<CounterVerdict> {
    // Checked here, so a malformed call never leaves the process (and throws the same RangeError as the others).
    assertCharges(charges);
    if (charges.length === 0) return { allowed: true, counters: [] };
    return (await this.call({ checkAndAdd: charges as CounterCharge[] }))!;
  }

  async adjust(deltas: readonly CounterDelta[]): Promise<void> {
    assertDeltas(deltas);
    if (deltas.length === 0) return;
    await this.call({ adjust: deltas as CounterDelta[] });
  }

  /** Stops listening; calls still waiting fail at once. */
  close(): void {
    this.stop();
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new CountersPrimaryUnavailableError('closed'));
    }
  }

  private call(body: Pick<CountersRequest, 'checkAndAdd' | 'adjust'>): Promise<CounterVerdict | undefined> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      // An answer after this counted all the same, which errs on the safe side.
      const timer = setTimeout(() => this.fail(id, new CountersPrimaryUnavailableError(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const request: CountersRequest = { type: COUNTERS_MESSAGE, id, ...body };
      this.channel.send(request, (err) => {
        if (err !== null) this.fail(id, new CountersPrimaryUnavailableError(err.message));
      });
    });
  }

  private fail(id: number, err: Error): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.reject(err);
  }

  private settle(message: unknown): void {
    if (!isCountersMessage(message)) return;
    const reply = message as CountersReply;
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.error !== undefined) p.reject(reply.error.name === 'RangeError' ? new RangeError(reply.error.message) : new Error(reply.error.message));
    else p.resolve(reply.verdict);
  }
}

/**
 * The primary's side: answers IpcCounters calls arriving on `channel` from `counters`. One
 * `counters` serves every worker's channel. Returns what stops it.
 */
export function serveCounters(channel: IpcChannel, counters: Counters): () => void {
  const ignore = (): void => undefined;
  return channel.listen((message) => {
    if (!isCountersMessage(message)) return;
    const request = message as CountersRequest;
    const answer = (reply: Omit<CountersReply, 'type' | 'id'>): void => channel.send({ type: COUNTERS_MESSAGE, id: request.id, ...reply }, ignore);
    // MemoryCounters decides synchronously inside each call: calls are answered in the order they came.
    const done =
      request.checkAndAdd !== undefined
        ? counters.checkAndAdd(request.checkAndAdd).then((verdict) => answer({ verdict }))
        : counters.adjust(request.adjust ?? []).then(() => answer({}));
    done.catch((err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      answer({ error: { name: e.name, message: e.message } });
    });
  });
}

function isCountersMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === COUNTERS_MESSAGE;
}
