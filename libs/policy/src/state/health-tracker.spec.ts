import { HealthTracker } from './health-tracker';

type Step = readonly [success: boolean, healthyAfter: boolean, changed: boolean];

describe('HealthTracker', () => {
  it('starts healthy', () => {
    expect(new HealthTracker(2, 3).healthy).toBe(true);
  });

  it.each<[string, number, number, Step[]]>([
    [
      'down after N failures in a row',
      2,
      3,
      [
        [false, true, false],
        [false, false, true],
      ],
    ],
    [
      'a success resets the failure streak',
      2,
      3,
      [
        [false, true, false],
        [true, true, false],
        [false, true, false],
        [false, false, true],
      ],
    ],
    [
      'up only after M successes in a row',
      2,
      3,
      [
        [false, true, false],
        [false, false, true],
        [true, false, false],
        [true, false, false],
        [true, true, true],
      ],
    ],
    [
      'a failure while down resets the success streak',
      2,
      3,
      [
        [false, true, false],
        [false, false, true],
        [true, false, false],
        [true, false, false],
        [false, false, false],
        [true, false, false],
        [true, false, false],
        [true, true, true],
      ],
    ],
    [
      'failures while down change nothing',
      2,
      3,
      [
        [false, true, false],
        [false, false, true],
        [false, false, false],
        [false, false, false],
      ],
    ],
    [
      'N = 1, M = 1 flips on every change',
      1,
      1,
      [
        [false, false, true],
        [true, true, true],
        [true, true, false],
        [false, false, true],
      ],
    ],
    [
      'after coming back, N more failures are needed',
      1,
      2,
      [
        [false, false, true],
        [true, false, false],
        [true, true, true],
        [false, false, true],
      ],
    ],
  ])('%s (N=%i, M=%i)', (_name, n, m, steps) => {
    const h = new HealthTracker(n, m);
    steps.forEach(([success, healthyAfter, changed], i) => {
      expect({ step: i, changed: h.record(success, success ? undefined : `e${i}`), healthy: h.healthy }).toEqual({ step: i, changed, healthy: healthyAfter });
    });
  });

  describe('lastError', () => {
    it('is kept while down, cleared by a success while up', () => {
      const h = new HealthTracker(2, 1);
      h.record(false, 'ECONNREFUSED');
      expect(h.lastError).toBe('ECONNREFUSED');
      h.record(false, 'ECONNREFUSED');
      expect(h.healthy).toBe(false);
      h.record(true);
      expect(h.healthy).toBe(true);
      expect(h.lastError).toBe('ECONNREFUSED'); // the success that brought it back says why it was down
      h.record(true);
      expect(h.lastError).toBeUndefined();
    });

    it('reports the latest failure, also once down', () => {
      const h = new HealthTracker(1, 2);
      h.record(false, 'ECONNREFUSED');
      expect(h.healthy).toBe(false);
      h.record(false, 'HTTP 503');
      expect(h.lastError).toBe('HTTP 503');
      h.record(true);
      h.record(false, 'timeout after 2000 ms');
      expect(h.lastError).toBe('timeout after 2000 ms');
    });
  });
});
