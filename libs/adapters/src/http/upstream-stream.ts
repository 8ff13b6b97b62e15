import type { Dispatcher } from 'undici';
import type { UpstreamError } from '@switchyard/contracts';
import { onAbort, type CallSignal } from './call-abort';

/** Unread bytes past which the upstream socket is paused until the reader catches up. */
const HIGH_WATER = 64 * 1024;

/** Takes a stream's reads as they come (the raw relay), instead of a reader pulling them. */
export interface StreamListener {
  data(chunk: Buffer): void;
  end(): void;
  fail(err: UpstreamError): void;
}

/**
 * One streamed upstream answer, read through undici's dispatch API: no Readable, no async iterator
 * per read. A reader pulls reads with `read()`, or a listener takes each as it arrives; either way
 * the upstream socket pauses while 64 KiB lie unread (or the listener asks) and resumes after.
 */
export class UpstreamStream implements Dispatcher.DispatchHandler {
  status = 0;
  /** Response headers, names lower-cased; a repeated header keeps its values in an array. */
  headers: Record<string, string | string[]> = {};
  /** Resolves when the status and headers came; rejects (with an UpstreamError) when the call failed before. */
  readonly started: Promise<void>;
  private start!: () => void;
  private refuse!: (err: UpstreamError) => void;
  private abortCall: ((err?: Error) => void) | undefined;
  private resumeCall: (() => void) | undefined;
  private queue: Buffer[] = [];
  private unread = 0;
  /** The last onData returned false: the socket waits for resumeCall. */
  private held = false;
  /** The listener asked to hold the next read. */
  private holding = false;
  private ended = false;
  private error: UpstreamError | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private listener: StreamListener | undefined;
  private unlisten: (() => void) | undefined;

  constructor(
    readonly signal: CallSignal,
    private readonly classify: (err: unknown, signal: CallSignal) => UpstreamError,
    /** Called once when the call is over (clears the attempt's timer). */
    private done?: () => void,
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.start = resolve;
      this.refuse = reject;
    });
    // Nothing awaits `started` once headers came; a failure after them is reported to the reader.
    this.started.catch(() => undefined);
    this.unlisten = signal.aborted ? undefined : onAbort(signal, () => this.abortCall?.(abortError(signal)));
  }

  /** Whether the answer was read to its end (or failed): nothing is left to stop. */
  get finished(): boolean {
    return this.ended || this.error !== undefined;
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortCall = abort;
    if (this.signal.aborted || this.stopped) abort(abortError(this.signal));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true;
    this.status = statusCode;
    this.resumeCall = resume;
    const headers = this.headers;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = rawHeaders[i].toString('latin1').toLowerCase();
      const value = rawHeaders[i + 1].toString('latin1');
      const had = headers[name];
      headers[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
    }
    this.start();
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.stopped) return true;
    const listener = this.listener;
    if (listener !== undefined) {
      listener.data(chunk);
      if (!this.holding) return true;
    } else {
      this.queue.push(chunk);
      this.unread += chunk.length;
      this.wakeReader();
      if (this.unread < HIGH_WATER) return true;
    }
    this.held = true;
    return false;
  }

  onComplete(): void {
    this.ended = true;
    this.finish();
    if (this.stopped) return;
    if (this.listener !== undefined) this.listener.end();
    else this.wakeReader();
  }

  onError(err: Error): void {
    const failure = this.classify(err, this.signal);
    this.error = failure;
    this.finish();
    if (this.status === 0) this.refuse(failure);
    if (this.stopped) return;
    if (this.listener !== undefined) this.listener.fail(failure);
    else this.wakeReader();
  }

  /** The next read; null at the end. Throws the call's UpstreamError when it failed. */
  async read(): Promise<Buffer | null> {
    for (;;) {
      if (this.queue.length > 0) {
        const chunk = this.queue.shift()!;
        this.unread -= chunk.length;
        if (this.held && this.unread < HIGH_WATER / 2) this.release();
        return chunk;
      }
      if (this.error !== undefined) throw this.error;
      if (this.ended) return null;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    try {
      let chunk: Buffer | null;
      while ((chunk = await this.read()) !== null) yield chunk;
    } finally {
      this.stop();
    }
  }

  /** The reads as an async iterable (an error answer is read so); leaving early stops the call. */
  get body(): AsyncIterable<Buffer> {
    return this;
  }

  /** From now on each read goes to `listener` as it comes (what was read already goes first). */
  listen(listener: StreamListener): void {
    this.listener = listener;
    const queued = this.queue;
    this.queue = [];
    this.unread = 0;
    for (const chunk of queued) {
      if (this.stopped) return;
      listener.data(chunk);
    }
    if (this.stopped) return;
    if (this.error !== undefined) listener.fail(this.error);
    else if (this.ended) listener.end();
    else if (this.held && !this.holding) this.release();
  }

  /** The listener's writes back up: the socket pauses after the current read. */
  hold(): void {
    this.holding = true;
  }

  /** The listener caught up. */
  unhold(): void {
    this.holding = false;
    if (this.held) this.release();
  }

  /** Stops the call (the connection is let go) unless it already ended; nothing more is reported. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue = [];
    if (this.finished) return;
    this.abortCall?.(abortError(this.signal));
  }

  private release(): void {
    this.held = false;
    this.resumeCall?.();
  }

  private wakeReader(): void {
    const wake = this.wake;
    if (wake !== undefined) {
      this.wake = undefined;
      wake();
    }
  }

  private finish(): void {
    this.unlisten?.();
    this.unlisten = undefined;
    const done = this.done;
    this.done = undefined;
    done?.();
  }
}

function abortError(signal: CallSignal): Error {
  const err = new Error('The call was aborted.');
  err.name = 'AbortError';
  (err as { cause?: unknown }).cause = signal.reason;
  return err;
}
