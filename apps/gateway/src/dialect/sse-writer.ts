import type { ServerResponse } from 'node:http';
import type { RelayOutput } from '@switchyard/adapters';

/**
 * Writes server-sent events straight to the socket, one event per upstream chunk, waiting for
 * `drain` when the client reads slower than the backend writes. Events are bare `data:` lines
 * (OpenAI's streams) or named with an `event:` line (Anthropic's).
 */
export class SseWriter implements RelayOutput {
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.raw.uncork();
  };

  constructor(private readonly raw: ServerResponse) {}

  get closed(): boolean {
    return this.raw.destroyed || this.raw.writableEnded;
  }

  open(headers: Record<string, string | number | string[] | undefined>): void {
    this.raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // A client's `Connection: close` (or HTTP/1.0) is honoured: the connection closes after the stream.
      connection: this.raw.shouldKeepAlive ? 'keep-alive' : 'close',
      'x-accel-buffering': 'no',
    });
  }

  /** An unnamed event. Resolves once it is handed to the socket (after `drain` if its buffer is full). */
  data(payload: string): Promise<void> {
    return this.send(`data: ${dataLines(payload)}\n\n`);
  }

  /** A named event (`event: <name>`), as Anthropic's streams send them. */
  event(name: string, payload: string): Promise<void> {
    return this.send(`event: ${name}\ndata: ${dataLines(payload)}\n\n`);
  }

  /** Whole events as they are (a backend's own, relayed); false when the socket's buffer is full. */
  write(events: Buffer | string): boolean {
    if (this.closed) return false;
    this.cork();
    return this.raw.write(events);
  }

  /** Calls `fn` once the socket drained or closed. */
  onDrain(fn: () => void): void {
    const done = (): void => {
      this.raw.off('drain', done);
      this.raw.off('close', done);
      fn();
    };
    this.raw.on('drain', done);
    this.raw.on('close', done);
  }

  end(): void {
    if (!this.closed) this.raw.end();
  }

  private async send(text: string): Promise<void> {
    if (this.closed) return;
    this.cork();
    if (this.raw.write(text)) return;
    await new Promise<void>((resolve) => this.onDrain(resolve));
  }

  /** Events that arrive together (one upstream read, and the end after it) leave in one socket write. */
  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.raw.cork();
    process.nextTick(this.uncork);
  }
}

/** A payload with line breaks (a backend's event relayed as it came) goes as one `data:` line each, which clients join back. */
function dataLines(payload: string): string {
  return payload.includes('\n') ? payload.replace(/\n/g, '\ndata: ') : payload;
}
