import type { BreakerTransition } from '@switchyard/policy';

/**
 * Shares circuit-breaker transitions between replicas. Counting stays local to each replica;
 * decisions never wait on it.
 */
export interface BreakerSync {
  /** Starts listening, and applies circuits others opened before this replica started. */
  start(): Promise<void>;
  /** Called on every local transition; never throws, never blocks the caller. */
  publish(t: BreakerTransition): void;
  /** Whether what it shares through is reachable (for readiness); undefined when there is nothing to reach. */
  readonly ping?: () => Promise<void>;
  close(): Promise<void>;
}

/** One replica alone: nothing to share. */
export class LocalBreakerSync implements BreakerSync {
  start(): Promise<void> {
    return Promise.resolve();
  }

  publish(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }
}
