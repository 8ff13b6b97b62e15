import { EventEmitter } from 'node:events';

/**
 * Aborts the upstream calls of one request (the client went away, the deadline passed). An
 * EventEmitter rather than an AbortController: undici takes either, and on Node 20 creating an
 * AbortSignal (an EventTarget) and adding and removing its listeners cost ~5% of the gateway's
 * CPU per request.
 */
export class CallAbort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

/** What an upstream call runs under: a request's CallAbort, or any AbortSignal (probes use AbortSignal.timeout). */
export type CallSignal = CallAbort | AbortSignal;

/** Calls `fn` once when `signal` aborts; returns what stops listening. */
export function onAbort(signal: CallSignal, fn: () => void): () => void {
  if (signal instanceof CallAbort) {
    signal.once('abort', fn);
    return () => signal.removeListener('abort', fn);
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}
