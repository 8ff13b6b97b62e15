import type { Strategy, Tier } from '@switchyard/contracts';
import type { RequestFeatures } from './policy.types';
import { DEFAULT_OUTPUT_TOKENS } from '../cost';
import { estimateCost, orderByStrategy, predictMs, saturated, type Scored } from './strategies';
import { seeded } from '../seeded.mock';

interface Fixture {
  tier?: Tier;
  model?: string;
  order?: number;
  inFlight?: number;
  maxConcurrency?: number;
  ttftMs?: number;
  tokensPerSec?: number;
  price?: { input: number; output: number };
  costPerHour?: number;
  weight?: number;
}

function item(backend: string, fx: Fixture = {}): Scored {
  return {
    candidate: { backend, model: fx.model ?? 'm', tier: fx.tier ?? 'local' },
    order: fx.order ?? 0,
    state: { healthy: true, breaker: 'closed', inFlight: fx.inFlight ?? 0, ttftMs: fx.ttftMs, tokensPerSec: fx.tokensPerSec },
    maxConcurrency: fx.maxConcurrency ?? 4,
    price: fx.price,
    costPerHour: fx.costPerHour,
    weight: fx.weight ?? 1,
  };
}

/** Items in chain order: `order` is the position in the list. */
function chain(...items: [string, Fixture][]): Scored[] {
  return items.map(([name, fx], i) => item(name, { order: i, ...fx }));
}

function features(over: Partial<RequestFeatures> = {}): RequestFeatures {
  return { model: 'chat', promptTokens: 1_000, stream: false, tags: [], headers: {}, pii: [], ...over };
}

const never = (): number => {
  throw new Error('random() must not be called');
};

function order(strategy: Strategy, items: Scored[], f: RequestFeatures = features(), random: () => number = never): string[] {
  return orderByStrategy(strategy, items, f, random).map((s) => s.candidate.backend);
}

describe('predictMs', () => {
  it.each<[string, Fixture, Partial<RequestFeatures>, number | undefined]>([
    ['unmeasured: no prediction', {}, {}, undefined],
    ['ttft + output at measured speed', { ttftMs: 200, tokensPerSec: 50 }, { maxTokens: 100 }, 200 + 2_000],
    ['default output tokens without max_tokens', { ttftMs: 200, tokensPerSec: 64 }, {}, 200 + (DEFAULT_OUTPUT_TOKENS / 64) * 1_000],
    ['only ttft measured: 30 tokens/s assumed', { ttftMs: 300 }, { maxTokens: 60 }, 300 + 2_000],
    ['only speed measured: 1 s ttft assumed', { tokensPerSec: 100 }, { maxTokens: 100 }, 1_000 + 1_000],
    ['queue stretches it: 2 of 4 in flight = x1.5', { ttftMs: 200, tokensPerSec: 50, inFlight: 2, maxConcurrency: 4 }, { maxTokens: 100 }, 2_200 * 1.5],
    ['saturated: x2', { ttftMs: 200, tokensPerSec: 50, inFlight: 4, maxConcurrency: 4 }, { maxTokens: 100 }, 4_400],
    ['over capacity keeps growing: 8 of 4 = x3', { ttftMs: 200, tokensPerSec: 50, inFlight: 8, maxConcurrency: 4 }, { maxTokens: 100 }, 6_600],
    ['prompt size does not matter', { ttftMs: 200, tokensPerSec: 50 }, { maxTokens: 100, promptTokens: 100_000 }, 2_200],
  ])('%s', (_name, fx, f, expected) => {
    const ms = predictMs(item('b', fx), features(f));
    if (expected === undefined) expect(ms).toBeUndefined();
    else expect(ms).toBeCloseTo(expected, 9);
  });
});

describe('estimateCost', () => {
  it.each<[string, Fixture, Partial<RequestFeatures>, number]>([
    // Cloud: USD per 1M tokens, input and output priced apart.
    ['cloud price per 1M tokens', { price: { input: 0.15, output: 0.6 } }, { promptTokens: 1_000, maxTokens: 500 }, (1_000 * 0.15 + 500 * 0.6) / 1e6],
    ['cloud, default output tokens', { price: { input: 2.5, output: 10 } }, { promptTokens: 2_000 }, (2_000 * 2.5 + DEFAULT_OUTPUT_TOKENS * 10) / 1e6],
    ['cloud, free price', { price: { input: 0, output: 0 } }, { promptTokens: 2_000 }, 0],
    // Local: $/hour over the box-seconds the request takes at the measured speed (prompt ~10x faster than output).
    ['local $3.60/h at 50 tok/s', { costPerHour: 3.6, tokensPerSec: 50 }, { promptTokens: 1_000, maxTokens: 500 }, (3.6 / 3_600) * ((100 + 500) / 50)],
    ['local unmeasured: 30 tok/s assumed', { costPerHour: 3.6 }, { promptTokens: 1_000, maxTokens: 500 }, (3.6 / 3_600) * (600 / 30)],
    ['local faster box is cheaper per request', { costPerHour: 3.6, tokensPerSec: 100 }, { promptTokens: 1_000, maxTokens: 500 }, (3.6 / 3_600) * (600 / 100)],
    ['local without a cost model is free', { tokensPerSec: 50 }, { promptTokens: 1_000, maxTokens: 500 }, 0],
    ['price wins over costPerHour', { price: { input: 1, output: 1 }, costPerHour: 100 }, { promptTokens: 1_000, maxTokens: 0 }, 1_000 / 1e6],
  ])('%s', (_name, fx, f, expected) => {
    expect(estimateCost(item('b', fx), features(f))).toBeCloseTo(expected, 12);
  });

  it('gives the documented numbers', () => {
    expect(estimateCost(item('b', { price: { input: 0.15, output: 0.6 } }), features({ promptTokens: 1_000, maxTokens: 500 }))).toBeCloseTo(0.00045, 12);
    expect(estimateCost(item('b', { costPerHour: 3.6, tokensPerSec: 50 }), features({ promptTokens: 1_000, maxTokens: 500 }))).toBeCloseTo(0.012, 12);
  });
});

describe('saturated', () => {
  it.each([
    [3, 4, false],
    [4, 4, true],
    [5, 4, true],
    [0, 1, false],
  ])('%i of %i in flight -> %s', (inFlight, maxConcurrency, expected) => {
    expect(saturated(item('b', { inFlight, maxConcurrency }))).toBe(expected);
  });
});

describe('orderByStrategy', () => {
  describe('local-first / cloud-first', () => {
    it.each<[string, Strategy, [string, Fixture][], Partial<RequestFeatures>, string[]]>([
      [
        'local first, in chain order',
        'local-first',
        [
          ['cloud', { tier: 'cloud' }],
          ['l1', { model: 'a' }],
          ['l2', { model: 'b' }],
        ],
        {},
        ['l1', 'l2', 'cloud'],
      ],
      [
        'cloud first, local falls back',
        'cloud-first',
        [
          ['l1', {}],
          ['c1', { tier: 'cloud', model: 'x' }],
          ['c2', { tier: 'cloud', model: 'y' }],
        ],
        {},
        ['c1', 'c2', 'l1'],
      ],
      [
        'saturated local spills behind cloud',
        'local-first',
        [
          ['l1', { inFlight: 4, maxConcurrency: 4 }],
          ['cloud', { tier: 'cloud' }],
        ],
        {},
        ['cloud', 'l1'],
      ],
      [
        'only the saturated one spills',
        'local-first',
        [
          ['l1', { model: 'a', inFlight: 4, maxConcurrency: 4 }],
          ['l2', { model: 'b', inFlight: 3 }],
          ['cloud', { tier: 'cloud' }],
        ],
        {},
        ['l2', 'cloud', 'l1'],
      ],
      [
        'saturated cloud spills behind local under cloud-first',
        'cloud-first',
        [
          ['cloud', { tier: 'cloud', inFlight: 64, maxConcurrency: 64 }],
          ['l1', {}],
        ],
        {},
        ['l1', 'cloud'],
      ],
      [
        'predicted over budget spills',
        'local-first',
        [
          ['l1', { ttftMs: 500, tokensPerSec: 20 }],
          ['cloud', { tier: 'cloud' }],
        ],
        { maxTokens: 100, maxLatencyMs: 5_000 },
        ['cloud', 'l1'],
      ],
      [
        'predicted within budget stays',
        'local-first',
        [
          ['l1', { ttftMs: 500, tokensPerSec: 20 }],
          ['cloud', { tier: 'cloud' }],
        ],
        { maxTokens: 100, maxLatencyMs: 5_500 },
        ['l1', 'cloud'],
      ],
      [
        'queue pushes the prediction over budget',
        'local-first',
        [
          ['l1', { ttftMs: 500, tokensPerSec: 20, inFlight: 2, maxConcurrency: 4 }],
          ['cloud', { tier: 'cloud' }],
        ],
        { maxTokens: 100, maxLatencyMs: 6_000 },
        ['cloud', 'l1'],
      ],
      [
        'no budget: slow local stays first',
        'local-first',
        [
          ['l1', { ttftMs: 5_000, tokensPerSec: 1 }],
          ['cloud', { tier: 'cloud' }],
        ],
        {},
        ['l1', 'cloud'],
      ],
      [
        'unmeasured local is not spilled for the budget',
        'local-first',
        [
          ['l1', {}],
          ['cloud', { tier: 'cloud' }],
        ],
        { maxLatencyMs: 1 },
        ['l1', 'cloud'],
      ],
      [
        'spilled keep chain order among themselves',
        'local-first',
        [
          ['l1', { model: 'a', inFlight: 4 }],
          ['l2', { model: 'b', inFlight: 4 }],
          ['cloud', { tier: 'cloud' }],
        ],
        {},
        ['cloud', 'l1', 'l2'],
      ],
      [
        'nothing of the other tier: spilled still last',
        'local-first',
        [
          ['l1', { model: 'a', inFlight: 4 }],
          ['l2', { model: 'b' }],
        ],
        {},
        ['l2', 'l1'],
      ],
    ])('%s', (_name, strategy, items, f, expected) => {
      expect(order(strategy, chain(...items), features(f))).toEqual(expected);
    });

    it('explains each position', () => {
      const out = orderByStrategy(
        'local-first',
        chain(
          ['l1', { model: 'a', inFlight: 1 }],
          ['l2', { model: 'b', inFlight: 4 }],
          ['l3', { model: 'c', ttftMs: 1_000, tokensPerSec: 10 }],
          ['cloud', { tier: 'cloud' }],
        ),
        features({ maxTokens: 100, maxLatencyMs: 2_000 }),
        never,
      );
      expect(out.map((s) => [s.candidate.backend, s.candidate.reason])).toEqual([
        ['l1', 'local first (1/4 in flight)'],
        ['cloud', 'cloud, after local'],
        ['l2', 'spilled: saturated (4/4 in flight)'],
        ['l3', 'spilled: predicted 11000 ms > budget 2000 ms'],
      ]);
    });

    describe('least outstanding among equals', () => {
      it.each<[string, Strategy, [string, Fixture][], string[]]>([
        [
          'same model and tier: fewer in flight first',
          'local-first',
          [
            ['a', { inFlight: 3 }],
            ['b', { inFlight: 1 }],
            ['c', { inFlight: 2 }],
          ],
          ['b', 'c', 'a'],
        ],
        [
          'ties keep chain order',
          'local-first',
          [
            ['a', { inFlight: 1 }],
            ['b', { inFlight: 1 }],
            ['c', { inFlight: 0 }],
          ],
          ['c', 'a', 'b'],
        ],
        [
          'different models are not equals',
          'local-first',
          [
            ['a', { model: 'x', inFlight: 3 }],
            ['b', { model: 'y', inFlight: 0 }],
          ],
          ['a', 'b'],
        ],
        [
          'same model on another tier is not an equal',
          'cloud-first',
          [
            ['c1', { tier: 'cloud', inFlight: 3 }],
            ['l1', { inFlight: 0 }],
            ['c2', { tier: 'cloud', inFlight: 1 }],
          ],
          ['c2', 'c1', 'l1'],
        ],
        // Equals that are not adjacent in the chain: a cloud target sits between them.
        [
          'equals apart in the chain, other tier between',
          'local-first',
          [
            ['a', { inFlight: 3 }],
            ['cloud', { tier: 'cloud', model: 'x' }],
            ['b', { inFlight: 0 }],
          ],
          ['b', 'a', 'cloud'],
        ],
        // ...or another local model: equals trade places, the other model keeps its slot.
        [
          'equals apart in the chain, other model between',
          'local-first',
          [
            ['a', { inFlight: 3 }],
            ['other', { model: 'x' }],
            ['b', { inFlight: 0 }],
          ],
          ['b', 'other', 'a'],
        ],
        [
          'two groups at once',
          'local-first',
          [
            ['a1', { model: 'a', inFlight: 2 }],
            ['b1', { model: 'b', inFlight: 5 }],
            ['a2', { model: 'a', inFlight: 1 }],
            ['b2', { model: 'b', inFlight: 0 }],
          ],
          ['a2', 'b2', 'a1', 'b1'],
        ],
      ])('%s', (_name, strategy, items, expected) => {
        expect(order(strategy, chain(...items))).toEqual(expected);
      });

      it('does not depend on the order the items arrive in', () => {
        const items = chain(
          ['a', { inFlight: 3 }],
          ['other', { model: 'x' }],
          ['b', { inFlight: 0 }],
          ['cloud', { tier: 'cloud', model: 'y' }],
          ['c', { inFlight: 1 }],
        );
        const expected = order('local-first', items);
        expect(expected).toEqual(['b', 'other', 'c', 'a', 'cloud']);
        for (const perm of [
          [4, 3, 2, 1, 0],
          [2, 0, 4, 1, 3],
          [1, 4, 0, 3, 2],
        ]) {
          expect(
            order(
              'local-first',
              perm.map((i) => items[i]),
            ),
          ).toEqual(expected);
        }
      });

      it('does not reorder the caller’s array', () => {
        const items = chain(['a', { inFlight: 3 }], ['b', { inFlight: 0 }]);
        order('local-first', items);
        expect(items.map((s) => s.candidate.backend)).toEqual(['a', 'b']);
      });
    });
  });

  describe('cheapest', () => {
    it('orders by estimated cost: cloud prices against the local cost model', () => {
      const items = chain(
        ['gpt-4o', { tier: 'cloud', model: 'gpt-4o', price: { input: 2.5, output: 10 } }], // (1000*2.5 + 500*10)/1e6 = 0.0075
        ['local-box', { costPerHour: 3.6, tokensPerSec: 50 }], // 0.001 * 600/50 = 0.012
        ['mini', { tier: 'cloud', model: 'mini', price: { input: 0.15, output: 0.6 } }], // 0.00045
        ['free-local', { model: 'other' }], // no cost model: 0
      );
      const out = orderByStrategy('cheapest', items, features({ maxTokens: 500 }), never);
      expect(out.map((s) => [s.candidate.backend, s.candidate.reason])).toEqual([
        ['free-local', 'cheapest: $0.00'],
        ['mini', 'cheapest: $0.000450'],
        ['gpt-4o', 'cheapest: $0.00750'],
        ['local-box', 'cheapest: $0.0120'],
      ]);
    });

    it('a faster local box becomes cheaper than the cloud', () => {
      const items = chain(['cloud', { tier: 'cloud', price: { input: 2.5, output: 10 } }], ['local', { costPerHour: 3.6, tokensPerSec: 200 }]); // 0.0075 vs 0.003
      expect(order('cheapest', items, features({ maxTokens: 500 }))).toEqual(['local', 'cloud']);
    });

    it('equal cost: fewer in flight, then chain order', () => {
      const items = chain(['a', { inFlight: 2 }], ['b', { inFlight: 1 }], ['c', { inFlight: 1 }]);
      expect(order('cheapest', items)).toEqual(['b', 'c', 'a']);
    });
  });

  describe('fastest', () => {
    it('orders by predicted latency; unmeasured last', () => {
      const items = chain(
        ['slow', { ttftMs: 800, tokensPerSec: 20 }], // 800 + 5000 = 5800
        ['unmeasured', {}],
        ['fast', { ttftMs: 300, tokensPerSec: 100 }], // 300 + 1000 = 1300
        ['busy-fast', { ttftMs: 300, tokensPerSec: 100, inFlight: 4, maxConcurrency: 4 }], // 2600
      );
      const out = orderByStrategy('fastest', items, features({ maxTokens: 100 }), never);
      expect(out.map((s) => [s.candidate.backend, s.candidate.reason])).toEqual([
        ['fast', 'fastest: 1300 ms predicted'],
        ['busy-fast', 'fastest: 2600 ms predicted'],
        ['slow', 'fastest: 5800 ms predicted'],
        ['unmeasured', 'fastest: no measurements yet'],
      ]);
    });

    it('all unmeasured: fewer in flight, then chain order', () => {
      expect(order('fastest', chain(['a', { inFlight: 1 }], ['b', { inFlight: 0 }], ['c', { inFlight: 0 }]))).toEqual(['b', 'c', 'a']);
    });
  });

  describe('weighted', () => {
    const weights = (): Scored[] => chain(['a', { weight: 1 }], ['b', { weight: 3 }], ['c', { weight: 0 }], ['d', { weight: 1 }]);

    it.each<[number, string[]]>([
      [0, ['a', 'b', 'c', 'd']],
      [0.19, ['a', 'b', 'c', 'd']],
      [0.2, ['b', 'a', 'c', 'd']],
      [0.79, ['b', 'a', 'c', 'd']],
      [0.8, ['d', 'a', 'b', 'c']],
      [0.999999, ['d', 'a', 'b', 'c']],
    ])('random() = %d draws %j', (r, expected) => {
      expect(order('weighted', weights(), features(), () => r)).toEqual(expected);
    });

    it('explains the draw and the fallbacks', () => {
      const out = orderByStrategy('weighted', weights(), features(), () => 0.5);
      expect(out.map((s) => s.candidate.reason)).toEqual([
        'weighted: drawn with weight 3/5',
        'weighted: fallback in chain order',
        'weighted: fallback in chain order',
        'weighted: fallback in chain order',
      ]);
    });

    it('splits traffic by weight over 10,000 seeded draws (within ±3%)', () => {
      const random = seeded(42);
      const draws = 10_000;
      const counts: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
      for (let i = 0; i < draws; i++) counts[orderByStrategy('weighted', weights(), features(), random)[0].candidate.backend]++;
      expect(counts.c).toBe(0);
      for (const [name, share] of [
        ['a', 0.2],
        ['b', 0.6],
        ['d', 0.2],
      ] as const) {
        expect(Math.abs(counts[name] / draws - share)).toBeLessThanOrEqual(0.03);
      }
    });

    it('every weight zero: chain order, still explained', () => {
      const out = orderByStrategy('weighted', chain(['a', { weight: 0 }], ['b', { weight: 0 }]), features(), () => 0.5);
      expect(out.map((s) => s.candidate.backend)).toEqual(['a', 'b']);
      for (const s of out) expect(s.candidate.reason).toMatch(/^weighted: /);
    });

    it('a zero-weight last item is never drawn, however close to 1 random() gets', () => {
      // With these weights, (1 - 2^-53) * total minus each weight in turn never goes below 0 in floating point.
      const items = chain(['a', { weight: 0.1 }], ['b', { weight: 0.1 }], ['c', { weight: 0.6 }], ['z', { weight: 0 }]);
      expect(order('weighted', items, features(), () => 1 - 2 ** -53)[0]).toBe('c');
    });

    it('nothing to order is fine', () => {
      expect(orderByStrategy('weighted', [], features(), () => 0.5)).toEqual([]);
    });
  });

  it.each<Strategy>(['local-first', 'cloud-first', 'cheapest', 'fastest', 'weighted'])('%s gives every candidate a reason', (strategy) => {
    const items = chain(['l', { weight: 0 }], ['c', { tier: 'cloud', model: 'x', weight: 0 }]);
    for (const s of orderByStrategy(strategy, items, features(), () => 0.5)) expect(s.candidate.reason).toEqual(expect.any(String));
  });
});
