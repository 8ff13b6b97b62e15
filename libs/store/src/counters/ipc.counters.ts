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

/** One call of a worker: an id of its own, and what to do. */
interface CountersCall {
  id: number;
  checkAndAdd?: CounterCharge[];
  adjust?: CounterDelta[];
}

interface CountersResult {
  id: number;
  /** A verdict as numbers, keys left out (the caller has them): allowed, then fits, remaining, resetMs, leased per charge. */
  verdict?: number[];
  error?: { name: string; message: string };
}

/** The calls a worker made in one turn of its event loop, in one message; answered in one message. */
interface CountersRequest {
  type: typeof COUNTERS_MESSAGE;
  calls: CountersCall[];
}

interface CountersReply {
  type: typeof COUNTERS_MESSAGE;
  results: CountersResult[];
}

/** The process holding the counters did not answer, or cannot be reached: the caller's fail mode decides. */
export class CountersPrimaryUnavailableError extends Error {
  constructor(reason: string) {
    super(`The primary process holding the limit counters is unavailable (${reason}).`);
    this.name = 'CountersPrimaryUnavailableError';
  }
}

interface Pending {
  charges?: readonly CounterCharge[];
  resolve: (verdict: CounterVerdict | undefined) => void;
  reject: (err: Error) => void;
}

/**
 * Counters held by another process (the primary of SWITCHYARD_WORKERS, in a MemoryCounters) and
 * asked over IPC, so every worker counts into the same windows and a limit is never multiplied by
 * the number of workers. The calls made in one turn of the event loop go in one message and come
 * back in one (under load a message and a write per batch rather than per request: most of what
 * IPC costs). The primary answers messages one at a time, in the order they arrive, which keeps
 * checkAndAdd atomic across workers.
 */
export class IpcCounters implements Counters {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private outbox: CountersCall[] = [];
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
    this.fail([...this.pending.keys()], () => new CountersPrimaryUnavailableError('closed'));
  }

  private call(body: Omit<CountersCall, 'id'>): Promise<CounterVerdict | undefined> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { charges: body.checkAndAdd, resolve, reject });
      if (this.outbox.length === 0) setImmediate(() => this.flush());
      this.outbox.push({ id, ...body });
    });
  }

  private flush(): void {
    const calls = this.outbox;
    this.outbox = [];
    const ids = calls.map((c) => c.id);
    // An answer after this counted all the same, which errs on the safe side.
    const timer = setTimeout(() => this.fail(ids, () => new CountersPrimaryUnavailableError(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    timer.unref();
    const request: CountersRequest = { type: COUNTERS_MESSAGE, calls };
    this.channel.send(request, (err) => {
      if (err !== null) this.fail(ids, () => new CountersPrimaryUnavailableError(err.message));
    });
  }

  private fail(ids: number[], error: () => Error): void {
    for (const id of ids) {
      const p = this.pending.get(id);
      if (p === undefined) continue;
      this.pending.delete(id);
      p.reject(error());
    }
  }

  private settle(message: unknown): void {
    if (!isCountersMessage(message)) return;
    const results = (message as CountersReply).results;
    if (!Array.isArray(results)) return;
    for (const r of results) {
      const p = this.pending.get(r.id);
      if (p === undefined) continue;
      this.pending.delete(r.id);
      if (r.error !== undefined) p.reject(r.error.name === 'RangeError' ? new RangeError(r.error.message) : new Error(r.error.message));
      else p.resolve(r.verdict === undefined || p.charges === undefined ? undefined : unpack(p.charges, r.verdict));
    }
  }
}

/**
 * The primary's side: answers IpcCounters calls arriving on `channel` from `counters`, a
 * message's calls in their order and in one reply. One `counters` serves every worker's
 * channel. Returns what stops it.
 */
export function serveCounters(channel: IpcChannel, counters: Counters): () => void {
  const ignore = (): void => undefined;
  return channel.listen((message) => {
    if (!isCountersMessage(message)) return;
    const calls = (message as CountersRequest).calls;
    if (!Array.isArray(calls)) return;
    // MemoryCounters decides synchronously inside each call: calls are decided in the order they came.
    const answers = calls.map((call) =>
      (call.checkAndAdd !== undefined ? counters.checkAndAdd(call.checkAndAdd) : counters.adjust(call.adjust ?? [])).then(
        (verdict): CountersResult => (verdict === undefined ? { id: call.id } : { id: call.id, verdict: pack(verdict) }),
        (err: unknown): CountersResult => {
          const e = err instanceof Error ? err : new Error(String(err));
          return { id: call.id, error: { name: e.name, message: e.message } };
        },
      ),
    );
    void Promise.all(answers).then((results) => channel.send({ type: COUNTERS_MESSAGE, results } satisfies CountersReply, ignore));
  });
}

function pack(verdict: CounterVerdict): number[] {
  const out = [verdict.allowed ? 1 : 0];
  for (const c of verdict.counters) out.push(c.allowed ? 1 : 0, c.remaining, c.resetMs, c.leased ?? 0);
  return out;
}

function unpack(charges: readonly CounterCharge[], v: number[]): CounterVerdict {
  return {
    allowed: v[0] === 1,
    counters: charges.map((c, i) => ({ key: c.key, allowed: v[1 + 4 * i] === 1, remaining: v[2 + 4 * i], resetMs: v[3 + 4 * i], leased: v[4 + 4 * i] })),
  };
}

function isCountersMessage(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === COUNTERS_MESSAGE;
}
