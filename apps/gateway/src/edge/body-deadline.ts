import type { IncomingMessage } from 'node:http';

/** A raw HTTP answer in OpenAI's error shape, written straight to a socket that no reply owns yet. */
export function rawErrorResponse(status: string, code: string, type: string, message: string, extra = ''): string {
  const body = JSON.stringify({ error: { message, type, param: null, code } });
  return `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`;
}

/**
 * Closes requests whose body has not arrived within `timeoutMs` of their headers (Node's own
 * requestTimeout stops watching once the headers are in, so a body sent a byte every few seconds
 * would hold its connection forever). One interval sweeps them all: no timer per request.
 */
export class BodyDeadline {
  private readonly since = new Map<IncomingMessage, number>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly answer: string;

  constructor(private readonly timeoutMs: number) {
    this.answer = rawErrorResponse(
      '408 Request Timeout',
      'request_timeout',
      'invalid_request_error',
      `The request body did not arrive within ${timeoutMs} ms.`,
    );
    this.sweeper = setInterval(() => this.sweep(), Math.min(1_000, Math.max(25, Math.floor(timeoutMs / 4))));
    this.sweeper.unref();
  }

  /** A request whose headers are in; only one announcing a body is watched. */
  begin(raw: IncomingMessage): void {
    const h = raw.headers;
    if (h['content-length'] === undefined && h['transfer-encoding'] === undefined) return;
    this.since.set(raw, performance.now());
  }

  /** Its body is complete. */
  done(raw: IncomingMessage): void {
    this.since.delete(raw);
  }

  close(): void {
    clearInterval(this.sweeper);
    this.since.clear();
  }

  private sweep(): void {
    const expired = performance.now() - this.timeoutMs;
    for (const [raw, at] of this.since) {
      if (raw.complete || raw.destroyed) this.since.delete(raw);
      else if (at <= expired) {
        this.since.delete(raw);
        const socket = raw.socket;
        if (socket.bytesWritten === 0) socket.end(this.answer);
        socket.destroySoon();
      }
    }
  }
}
