import type { Exchange } from './exchange';
import type { FakeSettings, WireProtocol } from './protocol';
import type { Fault } from './types';

const PAD = 'x'.repeat(64 * 1024);
const SSE_HEADERS_BASE = { 'cache-control': 'no-cache' } as const;

/** A streamed answer: `head` and `tail` frames go out with the first and last body frame. */
export interface StreamFrames {
  contentType: string;
  head: string[];
  body: string[];
  tail: string[];
}

/** Writes every reply: JSON, text, streams and errors, with the simulated latency and stream faults. */
export class Responder {
  constructor(
    private readonly protocol: WireProtocol,
    private readonly settings: Readonly<FakeSettings>,
    /** The current sequence number, which the request id header carries. */
    private readonly seq: () => number,
  ) {}

  /** Streams head + body frames (ttft/inter-chunk delays, midstream/stall faults) then tail. */
  async stream(ex: Exchange, frames: StreamFrames, fault: Fault | undefined): Promise<void> {
    if (ex.closed) return;
    const res = ex.res;
    res.writeHead(200, { 'content-type': frames.contentType, ...SSE_HEADERS_BASE, ...this.requestIdHeader() });
    res.flushHeaders();
    if (this.settings.ttftMs > 0) {
      await ex.wait(this.settings.ttftMs);
      if (ex.closed) return;
    }
    const mode = fault?.mode;
    const body = frames.body;
    let n = body.length;
    if (mode === 'midstream') n = Math.min(n, Math.max(0, fault?.afterChunks ?? 2));
    else if (mode === 'stall') n = Math.min(n, 1);

    let first = frames.head.length > 0 ? frames.head.join('') : '';
    if (n > 0) first += body[0];
    if (first !== '' && !(await ex.write(first))) return;
    for (let i = 1; i < n; i++) {
      if (this.settings.interChunkMs > 0) {
        await ex.wait(this.settings.interChunkMs);
        if (ex.closed) return;
      }
      if (!res.write(body[i])) {
        await ex.drain();
        if (ex.closed) return;
      }
    }
    if (mode === 'midstream') return ex.kill(false);
    if (mode === 'stall') return; // stay open, silent
    if (ex.closed) return;
    res.end(frames.tail.length === 1 ? frames.tail[0] : frames.tail.join(''));
  }

  /** The 'raw' fault: exactly the bytes asked for (padding written with backpressure, so it can be large). */
  async raw(ex: Exchange, fault: Fault): Promise<void> {
    ex.res.writeHead(fault.status ?? 200, fault.headers ?? {});
    if (fault.body && !(await ex.write(fault.body))) return;
    for (let left = fault.padBytes ?? 0; left > 0; left -= PAD.length) {
      if (!(await ex.write(left >= PAD.length ? PAD : PAD.slice(0, left)))) return;
    }
    for (const part of fault.parts ?? []) {
      await ex.wait(fault.partGapMs ?? 20);
      if (ex.closed || !(await ex.write(part))) return;
    }
    if (!ex.closed) ex.res.end(fault.bodyEnd ?? '');
  }

  /** Successful non-streaming JSON (after latencyMs; midstream => reset, stall => headers only). */
  async ok(ex: Exchange, payload: unknown, fault: Fault | undefined): Promise<void> {
    if (this.settings.latencyMs > 0) {
      await ex.wait(this.settings.latencyMs);
    }
    if (ex.closed) return;
    if (fault !== undefined) {
      if (fault.mode === 'midstream') return ex.kill(true);
      if (fault.mode === 'stall') {
        ex.res.writeHead(200, { 'content-type': 'application/json', ...this.requestIdHeader() });
        ex.res.flushHeaders();
        return;
      }
    }
    return this.json(ex, 200, payload);
  }

  text(ex: Exchange, text: string, fault: Fault | undefined): void {
    if (fault?.mode === 'midstream') return ex.kill(true);
    if (fault?.mode === 'stall') {
      ex.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      ex.res.flushHeaders();
      return;
    }
    ex.res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    ex.res.end(ex.req.method === 'HEAD' ? undefined : text);
  }

  json(ex: Exchange, status: number, payload: unknown, extraHeaders?: Record<string, string>): Promise<void> {
    if (ex.closed || ex.res.headersSent) return Promise.resolve();
    const s = JSON.stringify(payload);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(s),
      ...this.requestIdHeader(),
      ...extraHeaders,
    };
    ex.res.writeHead(status, headers);
    ex.res.end(s);
    return Promise.resolve();
  }

  /** Error in the protocol's shape; an 'error' fault's retryAfterSec (or any 429) sets `retry-after`. */
  error(ex: Exchange, status: number, message: string, code?: string, param?: string, fault?: Fault): Promise<void> {
    let extra: Record<string, string> | undefined;
    if (status === 429) extra = { 'retry-after': String(fault?.retryAfterSec ?? 1) };
    else if (fault?.retryAfterSec !== undefined) extra = { 'retry-after': String(fault.retryAfterSec) };
    return this.json(ex, status, this.protocol.errorBody(status, message, code, param), extra);
  }

  private requestIdHeader(): Record<string, string> | undefined {
    const name = this.protocol.requestIdHeader;
    return name === undefined ? undefined : { [name]: `req_fake_${this.seq()}` };
  }
}
