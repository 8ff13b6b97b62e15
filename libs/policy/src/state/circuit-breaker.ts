import type { BreakerConfig } from '@switchyard/contracts';
import type { BreakerState } from '../engine/policy.types';

const BUCKETS = 10;

/**
 * closed -> open when the failure share over a sliding window passes the threshold (with at
 * least `minRequests` attempts); open -> half_open after `openMs`; half_open -> closed after
 * `halfOpenSuccesses` successes in a row, or back to open on any failure. Time is passed in.
 */
export class CircuitBreaker {
  private readonly ok = new Array<number>(BUCKETS).fill(0);
  private readonly failed = new Array<number>(BUCKETS).fill(0);
  private bucketStart = 0;
  private readonly bucketMs: number;
  private current: BreakerState = 'closed';
  private openedAt = 0;
  private halfOpenOk = 0;

  constructor(private readonly config: BreakerConfig) {
    this.bucketMs = Math.max(1, Math.floor(config.windowMs / BUCKETS));
  }

  state(now: number): BreakerState {
    if (this.current === 'open' && now - this.openedAt >= this.config.openMs) {
      this.current = 'half_open';
      this.halfOpenOk = 0;
    }
    return this.current;
  }

  /** Records one attempt; returns the state it leaves the breaker in. */
  record(success: boolean, now: number): BreakerState {
    const state = this.state(now);
    if (state === 'half_open') {
      if (!success) return this.trip(now);
      if (++this.halfOpenOk >= this.config.halfOpenSuccesses) this.close();
      return this.current;
    }
    if (state === 'open') return state; // a straggler that started before the trip
    this.rotate(now);
    const i = Math.floor(now / this.bucketMs) % BUCKETS;
    if (success) this.ok[i]++;
    else this.failed[i]++;
    if (!success) {
      const failures = sum(this.failed);
      const total = failures + sum(this.ok);
      if (total >= this.config.minRequests && failures / total >= this.config.failureRate) return this.trip(now);
    }
    return this.current;
  }

  /** Forces the open state (e.g. another replica tripped it) until `openedAt + openMs`. */
  forceOpen(openedAt: number): void {
    this.current = 'open';
    this.openedAt = openedAt;
  }

  forceClose(): void {
    this.close();
  }

  get openedSince(): number {
    return this.openedAt;
  }

  private trip(now: number): BreakerState {
    this.current = 'open';
    this.openedAt = now;
    this.ok.fill(0);
    this.failed.fill(0);
    return this.current;
  }

  private close(): void {
    this.current = 'closed';
    this.halfOpenOk = 0;
    this.ok.fill(0);
    this.failed.fill(0);
  }

  /** Clears buckets that fell out of the window since the last record. */
  private rotate(now: number): void {
    const bucket = Math.floor(now / this.bucketMs);
    const last = Math.floor(this.bucketStart / this.bucketMs);
    const gap = Math.min(BUCKETS, bucket - last);
    for (let k = 1; k <= gap; k++) {
      const i = (last + k) % BUCKETS;
      this.ok[i] = 0;
      this.failed[i] = 0;
    }
    if (bucket > last) this.bucketStart = now;
  }
}

function sum(a: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
