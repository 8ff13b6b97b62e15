import type * as http from 'node:http';
import type { Exchange } from './exchange';
import type { FakeLlmStats, RecordedRequest } from './types';

interface AbortWaiter {
  resolve: () => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** What the fake saw: the recorded requests, the counters and the waits for a client abort. */
export class RequestLog {
  readonly requests: RecordedRequest[] = [];
  private nRequests = 0;
  private nAborted = 0;
  private nCompleted = 0;
  private nInFlight = 0;
  private abortsSeen = 0;
  private abortWaiters: AbortWaiter[] = [];

  /** `maxRecorded`: keep only the most recent N requests. */
  constructor(private readonly maxRecorded: number) {}

  get stats(): FakeLlmStats {
    return { requests: this.nRequests, aborted: this.nAborted, completed: this.nCompleted, inFlight: this.nInFlight };
  }

  record(req: http.IncomingMessage, path: string, body: unknown, text: string | undefined, at: number): void {
    if (this.maxRecorded === 0) return;
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body, text, at });
    if (this.requests.length > this.maxRecorded) this.requests.shift();
  }

  /** A counted (non-control) request arrived. */
  started(): void {
    this.nRequests++;
    this.nInFlight++;
  }

  /** Once per counted exchange when its response closes (finished, aborted or killed); `closing`: the server is closing. */
  ended(ex: Exchange, closing: boolean): void {
    this.nInFlight--;
    if (ex.res.writableFinished) {
      this.nCompleted++;
    } else if (!ex.killed && !closing) {
      this.nAborted++;
      if (this.abortWaiters.length > 0) {
        this.abortsSeen = this.nAborted;
        const waiters = this.abortWaiters;
        this.abortWaiters = [];
        for (const w of waiters) {
          clearTimeout(w.timer);
          w.resolve();
        }
      }
    }
  }

  waitForAbort(timeoutMs: number): Promise<void> {
    if (this.nAborted > this.abortsSeen) {
      this.abortsSeen = this.nAborted;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: AbortWaiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.abortWaiters.indexOf(waiter);
          if (i >= 0) this.abortWaiters.splice(i, 1);
          reject(new Error(`fake-llm: no aborted request within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.abortWaiters.push(waiter);
    });
  }

  /** Clears the records and counters, not the live in-flight gauge. */
  reset(): void {
    this.requests.length = 0;
    this.nRequests = 0;
    this.nAborted = 0;
    this.nCompleted = 0;
    this.abortsSeen = 0;
  }

  /** Rejects every pending waitForAbort (the server is closing). */
  rejectWaiters(): void {
    const waiters = this.abortWaiters;
    this.abortWaiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('fake-llm: server closed'));
    }
  }
}
