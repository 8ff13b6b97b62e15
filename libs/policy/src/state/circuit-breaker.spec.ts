import { BreakerConfig } from '@switchyard/contracts';
import type { BreakerState } from '../engine/policy.types';
import { CircuitBreaker } from './circuit-breaker';

/** 1 s window in ten 100 ms buckets; trips at >= 50% failures over >= 4 attempts; open 500 ms; 2 half-open successes close. */
function breaker(over: Partial<BreakerConfig> = {}): CircuitBreaker {
  return new CircuitBreaker(Object.assign(new BreakerConfig(), { failureRate: 0.5, minRequests: 4, windowMs: 1_000, openMs: 500, halfOpenSuccesses: 2 }, over));
}

/** Records `[success, at]` attempts in order and returns the state after each. */
function feed(b: CircuitBreaker, attempts: readonly (readonly [boolean, number])[]): BreakerState[] {
  return attempts.map(([ok, at]) => b.record(ok, at));
}

const T0 = 1_700_000_000_000; // a Date.now()-sized clock: the first rotation must not be confused by it

describe('CircuitBreaker', () => {
  it('starts closed and stays closed on successes', () => {
    const b = breaker();
    expect(b.state(T0)).toBe('closed');
    expect(
      feed(b, [
        [true, T0],
        [true, T0 + 1],
        [true, T0 + 2],
      ]),
    ).toEqual(['closed', 'closed', 'closed']);
  });

  describe('closed -> open', () => {
    it.each<[string, Partial<BreakerConfig>, boolean[], BreakerState]>([
      ['below minRequests: 3 failures of 3', {}, [false, false, false], 'closed'],
      ['at minRequests: 4 failures of 4', {}, [false, false, false, false], 'open'],
      ['rate exactly at threshold: 2 of 4', {}, [true, true, false, false], 'open'],
      ['rate below threshold: 2 of 5', {}, [true, true, true, false, false], 'closed'],
      ['minRequests 1: first failure trips', { minRequests: 1 }, [false], 'open'],
      ['failureRate 1: one success keeps it closed', { failureRate: 1 }, [true, false, false, false, false, false], 'closed'],
      ['failureRate 1: all failures trip', { failureRate: 1 }, [false, false, false, false], 'open'],
      // The rate is only checked when a failure arrives: a success never trips.
      ['success after enough failures below minRequests', { minRequests: 4 }, [false, false, false, true], 'closed'],
    ])('%s', (_name, over, outcomes, expected) => {
      const b = breaker(over);
      outcomes.forEach((ok, i) => b.record(ok, T0 + i));
      expect(b.state(T0 + outcomes.length)).toBe(expected);
    });

    it('returns the state it leaves the breaker in', () => {
      expect(
        feed(breaker(), [
          [false, T0],
          [false, T0],
          [false, T0],
          [false, T0],
        ]),
      ).toEqual(['closed', 'closed', 'closed', 'open']);
    });

    it('records when it opened', () => {
      const b = breaker({ minRequests: 1 });
      b.record(false, T0 + 123);
      expect(b.openedSince).toBe(T0 + 123);
    });
  });

  describe('sliding window', () => {
    it('ages old failures out once the window has passed', () => {
      const b = breaker();
      feed(b, [
        [false, T0],
        [false, T0 + 10],
        [false, T0 + 20],
      ]);
      // 1 s later those three are gone: one more failure is 1 of 1, below minRequests.
      expect(b.record(false, T0 + 1_000)).toBe('closed');
      expect(b.record(false, T0 + 1_010)).toBe('closed');
      expect(b.record(false, T0 + 1_020)).toBe('closed');
      expect(b.record(false, T0 + 1_030)).toBe('open');
    });

    it('keeps failures that are still inside the window', () => {
      const b = breaker();
      feed(b, [
        [false, T0],
        [false, T0 + 10],
        [false, T0 + 20],
      ]);
      // 950 ms later the bucket of T0 is still the oldest of the ten.
      expect(b.record(false, T0 + 950)).toBe('open');
    });

    it('rotates bucket by bucket: only buckets older than the window are cleared', () => {
      const b = breaker();
      // Bucket 0 (T0) and bucket 5 (T0+500) each hold two failures.
      feed(b, [
        [false, T0],
        [false, T0 + 1],
        [false, T0 + 500],
        [true, T0 + 501],
        [true, T0 + 502],
        [true, T0 + 503],
      ]);
      // At T0+1000 bucket 0 has aged out: 1 failure + 3 successes remain, plus this failure = 2/5.
      expect(b.record(false, T0 + 1_000)).toBe('closed');
      // Another failure in the same bucket: 3/6 -> trips.
      expect(b.record(false, T0 + 1_001)).toBe('open');
    });

    it('ages out successes too, so a burst of failures after a quiet spell trips', () => {
      const b = breaker();
      for (let i = 0; i < 20; i++) b.record(true, T0 + i);
      expect(
        feed(b, [
          [false, T0 + 5_000],
          [false, T0 + 5_001],
          [false, T0 + 5_002],
          [false, T0 + 5_003],
        ]),
      ).toEqual(['closed', 'closed', 'closed', 'open']);
    });

    it('a long gap clears the whole ring, not just some buckets', () => {
      const b = breaker();
      feed(b, [
        [false, T0],
        [false, T0 + 100],
        [false, T0 + 200],
      ]);
      expect(b.record(false, T0 + 60_000)).toBe('closed');
    });
  });

  describe('open -> half_open -> closed', () => {
    function tripped(over: Partial<BreakerConfig> = {}): CircuitBreaker {
      const b = breaker({ minRequests: 1, ...over });
      b.record(false, T0);
      expect(b.state(T0)).toBe('open');
      return b;
    }

    it('stays open until openMs has passed, then half-opens', () => {
      const b = tripped();
      expect(b.state(T0 + 499)).toBe('open');
      expect(b.state(T0 + 500)).toBe('half_open');
    });

    it('ignores stragglers that finish while open', () => {
      const b = tripped();
      expect(
        feed(b, [
          [true, T0 + 10],
          [true, T0 + 20],
          [true, T0 + 30],
          [false, T0 + 40],
        ]),
      ).toEqual(['open', 'open', 'open', 'open']);
      // Nor do they extend the open period.
      expect(b.state(T0 + 500)).toBe('half_open');
    });

    it('closes after halfOpenSuccesses successes', () => {
      const b = tripped({ halfOpenSuccesses: 3 });
      expect(
        feed(b, [
          [true, T0 + 500],
          [true, T0 + 501],
          [true, T0 + 502],
        ]),
      ).toEqual(['half_open', 'half_open', 'closed']);
      expect(b.state(T0 + 10_000)).toBe('closed');
    });

    it('reopens on a failure in half-open, for another openMs', () => {
      const b = tripped();
      expect(
        feed(b, [
          [true, T0 + 600],
          [false, T0 + 610],
        ]),
      ).toEqual(['half_open', 'open']);
      expect(b.openedSince).toBe(T0 + 610);
      expect(b.state(T0 + 1_109)).toBe('open');
      expect(b.state(T0 + 1_110)).toBe('half_open');
    });

    it('counts half-open successes afresh after reopening', () => {
      const b = tripped();
      feed(b, [
        [true, T0 + 600],
        [false, T0 + 610],
      ]); // one success, then reopened
      expect(b.record(true, T0 + 1_200)).toBe('half_open'); // not closed: the earlier success no longer counts
      expect(b.record(true, T0 + 1_201)).toBe('closed');
    });

    it('starts a fresh window after closing: failures from before the trip do not count', () => {
      const b = breaker();
      feed(b, [
        [true, T0],
        [true, T0],
        [false, T0],
        [false, T0],
      ]); // 2/4 -> open
      expect(b.state(T0)).toBe('open');
      feed(b, [
        [true, T0 + 500],
        [true, T0 + 501],
      ]);
      expect(b.state(T0 + 501)).toBe('closed');
      expect(
        feed(b, [
          [false, T0 + 502],
          [false, T0 + 503],
          [false, T0 + 504],
        ]),
      ).toEqual(['closed', 'closed', 'closed']);
      expect(b.record(false, T0 + 505)).toBe('open');
    });
  });

  describe('forceOpen / forceClose', () => {
    it('forceOpen opens until openedAt + openMs', () => {
      const b = breaker();
      b.forceOpen(T0 + 100);
      expect(b.state(T0 + 100)).toBe('open');
      expect(b.openedSince).toBe(T0 + 100);
      expect(b.state(T0 + 599)).toBe('open');
      expect(b.state(T0 + 600)).toBe('half_open');
    });

    it('forceOpen with an old openedAt is half-open at once', () => {
      const b = breaker();
      b.forceOpen(T0 - 10_000);
      expect(b.state(T0)).toBe('half_open');
    });

    it('forceOpen re-opens a half-open breaker', () => {
      const b = breaker();
      b.forceOpen(T0);
      expect(b.state(T0 + 500)).toBe('half_open');
      b.forceOpen(T0 + 500);
      expect(b.state(T0 + 500)).toBe('open');
    });

    it('forceClose closes an open breaker with a clean window', () => {
      const b = breaker();
      feed(b, [
        [false, T0],
        [false, T0],
        [false, T0],
        [false, T0],
      ]);
      expect(b.state(T0)).toBe('open');
      b.forceClose();
      expect(b.state(T0 + 1)).toBe('closed');
      expect(
        feed(b, [
          [false, T0 + 2],
          [false, T0 + 3],
          [false, T0 + 4],
        ]),
      ).toEqual(['closed', 'closed', 'closed']);
    });

    it('forceClose closes a half-open breaker and resets its success count', () => {
      const b = breaker({ minRequests: 1 });
      b.record(false, T0);
      b.record(true, T0 + 500); // 1 of 2 half-open successes
      b.forceClose();
      expect(b.state(T0 + 501)).toBe('closed');
      b.record(false, T0 + 502); // minRequests 1: trips again
      expect(b.record(true, T0 + 1_002)).toBe('half_open');
    });
  });
});
