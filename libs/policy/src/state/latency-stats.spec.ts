import { LatencyStats } from './latency-stats';

type Sample = readonly [ttftMs: number | undefined, outputTokens: number | undefined, durationMs: number | undefined];

describe('LatencyStats', () => {
  it('knows nothing until measured', () => {
    const s = new LatencyStats();
    expect(s.ttftMs).toBeUndefined();
    expect(s.tokensPerSec).toBeUndefined();
  });

  it.each<[string, Sample[], number | undefined, number | undefined]>([
    // tokens/s is output tokens over the time after the first token.
    ['first sample is taken as is', [[200, 101, 2_200]], 200, 50.5],
    [
      'EWMA with alpha 0.2',
      [
        [200, 101, 2_200],
        [400, 201, 2_400],
      ],
      240,
      50.5 + 0.2 * (100.5 - 50.5),
    ],
    [
      'three samples',
      [
        [100, undefined, undefined],
        [200, undefined, undefined],
        [300, undefined, undefined],
      ],
      100 + 0.2 * 100 + 0.2 * (300 - 120),
      undefined,
    ],
    ['ttft 0 is a measurement', [[0, undefined, undefined]], 0, undefined],
    [
      'negative ttft is ignored',
      [
        [100, undefined, undefined],
        [-5, undefined, undefined],
      ],
      100,
      undefined,
    ],
    ['no ttft: no speed either', [[undefined, 100, 1_000]], undefined, undefined],
    ['single-token answer says nothing about speed', [[100, 1, 1_000]], 100, undefined],
    ['zero tokens says nothing about speed', [[100, 0, 1_000]], 100, undefined],
    ['no generation time says nothing about speed', [[100, 50, 100]], 100, undefined],
    ['no duration says nothing about speed', [[100, 50, undefined]], 100, undefined],
    [
      'unusable samples leave the average alone',
      [
        [100, 11, 1_100],
        [100, 1, 5_000],
        [100, 0, 5_000],
      ],
      100,
      11,
    ],
  ])('%s', (_name, samples, ttft, tps) => {
    const s = new LatencyStats();
    for (const [t, o, d] of samples) s.record(t, o, d);
    if (ttft === undefined) expect(s.ttftMs).toBeUndefined();
    else expect(s.ttftMs).toBeCloseTo(ttft, 9);
    if (tps === undefined) expect(s.tokensPerSec).toBeUndefined();
    else expect(s.tokensPerSec).toBeCloseTo(tps, 9);
  });

  it('takes its alpha from the constructor', () => {
    const s = new LatencyStats(0.5);
    s.record(100, undefined, undefined);
    s.record(300, undefined, undefined);
    expect(s.ttftMs).toBe(200);
  });

  it('converges on a steady value', () => {
    const s = new LatencyStats();
    s.record(1_000, undefined, undefined);
    for (let i = 0; i < 100; i++) s.record(100, 21, 1_100);
    expect(s.ttftMs).toBeCloseTo(100, 3);
    expect(s.tokensPerSec).toBeCloseTo(21, 3);
  });
});
