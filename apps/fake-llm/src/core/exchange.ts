import type * as http from 'node:http';

/** One request and its response: abort tracking, cancellable waits, backpressure. */
export class Exchange {
  closed = false;
  /** The server destroyed the socket on purpose (fault); not an abort. */
  killed = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  /** `onEnd` runs once when the response closes (finished, aborted or killed); control calls have none. */
  constructor(
    readonly req: http.IncomingMessage,
    readonly res: http.ServerResponse,
    private readonly onEnd: ((ex: Exchange) => void) | undefined,
  ) {}

  /** Bound once per exchange; resolves the pending wait (timer or drain). */
  readonly fire = (): void => {
    this.timer = undefined;
    const w = this.wake;
    this.wake = undefined;
    if (w !== undefined) w();
  };

  readonly onClose = (): void => {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.res.removeListener('drain', this.fire);
    this.fire();
    if (this.onEnd !== undefined) this.onEnd(this);
  };

  wait(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(this.fire, ms);
    });
  }

  drain(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.res.once('drain', this.fire);
    });
  }

  /** Write honouring backpressure; resolves false when the exchange closed meanwhile. */
  async write(s: string): Promise<boolean> {
    if (this.closed) return false;
    if (!this.res.write(s)) await this.drain();
    return !this.closed;
  }

  /** Destroy the connection without (further) response. `rst` sends a TCP reset when possible. */
  kill(rst: boolean): void {
    if (this.closed) return;
    this.killed = true;
    const sock = this.req.socket;
    // Let corked/queued bytes reach the kernel first (http corks writes until the next tick).
    setImmediate(() => {
      if (sock.destroyed) return;
      if (sock.writableLength > 0) sock.once('drain', () => sock.destroy());
      else if (rst && typeof sock.resetAndDestroy === 'function') sock.resetAndDestroy();
      else sock.destroy();
    });
  }
}
