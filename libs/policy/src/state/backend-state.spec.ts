import { parseConfig } from '@switchyard/contracts';
import { BackendStateRegistry, type AttemptOutcome, type BreakerTransition } from './backend-state';

const config = parseConfig(
  `
backends:
  - { name: local, protocol: ollama, baseUrl: "http://127.0.0.1:11434", tier: local, models: [llama3.2, qwen] }
  - { name: cloud, protocol: openai, baseUrl: "https://api.example.com/v1", tier: cloud, models: [gpt-4o-mini, "openai/gpt-4o"] }
  - { name: "eu/vllm", protocol: openai, baseUrl: "http://10.0.0.1:8000/v1", tier: local, models: ["meta-llama/Llama-3-8B"] }
policy:
  breaker: { failureRate: 0.5, minRequests: 2, windowMs: 1000, openMs: 500, halfOpenSuccesses: 2 }
  health: { failuresToDown: 2, successesToUp: 3 }
`,
  {},
);

const T0 = 1_700_000_000_000;

function setup(): { reg: BackendStateRegistry; clock: { now: number }; events: BreakerTransition[] } {
  const clock = { now: T0 };
  const reg = new BackendStateRegistry(config, () => clock.now);
  const events: BreakerTransition[] = [];
  reg.onBreaker = (t) => events.push(t);
  return { reg, clock, events };
}

function outcome(over: Partial<AttemptOutcome> = {}): AttemptOutcome {
  return { backend: 'local', model: 'llama3.2', success: false, status: 503, ...over };
}

describe('BackendStateRegistry', () => {
  it('starts every configured backend healthy, closed, idle and unmeasured', () => {
    const { reg } = setup();
    expect(reg.names()).toEqual(['local', 'cloud', 'eu/vllm']);
    for (const name of reg.names()) {
      expect(reg.backend(name)).toEqual({ healthy: true, breaker: 'closed', inFlight: 0, ttftMs: undefined, tokensPerSec: undefined });
    }
    expect(reg.breaker('local', 'llama3.2')).toBe('closed');
  });

  it('throws on a backend it does not know (a wiring bug, not a runtime state)', () => {
    const { reg } = setup();
    expect(() => reg.backend('nope')).toThrow(/unknown backend nope/);
    expect(() => reg.begin('nope')).toThrow(/unknown backend/);
  });

  describe('begin / end', () => {
    it('counts requests in flight and never goes below zero', () => {
      const { reg } = setup();
      reg.begin('local');
      reg.begin('local');
      reg.begin('cloud');
      expect(reg.backend('local').inFlight).toBe(2);
      expect(reg.backend('cloud').inFlight).toBe(1);
      reg.end('local');
      reg.end('local');
      reg.end('local');
      reg.end('local');
      expect(reg.backend('local').inFlight).toBe(0);
      reg.begin('local');
      expect(reg.backend('local').inFlight).toBe(1);
    });

    it('end on an idle backend stays at zero', () => {
      const { reg } = setup();
      reg.end('cloud');
      expect(reg.backend('cloud').inFlight).toBe(0);
    });
  });

  describe('record', () => {
    it.each<[string, Partial<AttemptOutcome>, boolean]>([
      ['400 bad request', { status: 400 }, false],
      ['401 unauthorized', { status: 401 }, false],
      ['404 not found', { status: 404 }, false],
      ['408 request timeout (client side)', { status: 408 }, false],
      ['413 too large', { status: 413 }, false],
      ['422 unprocessable', { status: 422 }, false],
      ['429 rate limited', { status: 429 }, true],
      ['500 internal error', { status: 500 }, true],
      ['502 bad gateway', { status: 502 }, true],
      ['503 unavailable', { status: 503 }, true],
      ['504 timeout', { status: 504 }, true],
    ])('a %s failure counts against the breakers: %s', (_name, over, counts) => {
      const { reg } = setup();
      for (let i = 0; i < 5; i++) reg.record(outcome(over));
      expect(reg.backend('local').breaker).toBe(counts ? 'open' : 'closed');
      expect(reg.breaker('local', 'llama3.2')).toBe(counts ? 'open' : 'closed');
    });

    it('successes count: they keep the failure rate down', () => {
      const { reg } = setup();
      reg.record(outcome({ success: true, status: 200 }));
      reg.record(outcome({ success: true, status: 200 }));
      reg.record(outcome({ success: true, status: 200 }));
      reg.record(outcome()); // 1 of 4
      expect(reg.backend('local').breaker).toBe('closed');
      reg.record(outcome()); // 2 of 5
      expect(reg.backend('local').breaker).toBe('closed');
      reg.record(outcome()); // 3 of 6
      expect(reg.backend('local').breaker).toBe('open');
    });

    it('keeps latency statistics from successes only', () => {
      const { reg } = setup();
      reg.record(outcome({ success: true, status: 200, ttftMs: 200, outputTokens: 101, durationMs: 2_200 }));
      reg.record(outcome({ success: false, status: 503, ttftMs: 10_000, outputTokens: 2, durationMs: 90_000 }));
      expect(reg.backend('local')).toMatchObject({ ttftMs: 200, tokensPerSec: 50.5 });
      expect(reg.backend('cloud')).toMatchObject({ ttftMs: undefined, tokensPerSec: undefined });
    });

    it('ignores backends it does not know', () => {
      const { reg, events } = setup();
      expect(() => reg.record(outcome({ backend: 'gone' }))).not.toThrow();
      expect(events).toEqual([]);
    });

    it('keeps a breaker per backend and one per backend/model', () => {
      const { reg } = setup();
      for (let i = 0; i < 3; i++) reg.record(outcome({ model: 'qwen', success: true, status: 200 }));
      reg.record(outcome({ model: 'llama3.2' }));
      reg.record(outcome({ model: 'llama3.2' })); // llama3.2: 2/2 failed; backend: 2/5
      expect(reg.breaker('local', 'llama3.2')).toBe('open');
      expect(reg.breaker('local', 'qwen')).toBe('closed');
      expect(reg.backend('local').breaker).toBe('closed');
      reg.record(outcome({ model: 'qwen' })); // qwen: 1/4; backend: 3/6
      expect(reg.backend('local').breaker).toBe('open');
      expect(reg.breaker('local', 'qwen')).toBe('closed');
      expect(reg.breaker('cloud', 'gpt-4o-mini')).toBe('closed');
    });
  });

  describe('onBreaker', () => {
    it('fires open, then closed, for the backend and the backend/model keys', () => {
      const { reg, clock, events } = setup();
      reg.record(outcome());
      expect(events).toEqual([]);
      clock.now = T0 + 10;
      reg.record(outcome());
      expect(events).toEqual([
        { key: 'local', state: 'open', at: T0 + 10 },
        { key: 'local/llama3.2', state: 'open', at: T0 + 10 },
      ]);
      // Stragglers while open change nothing.
      reg.record(outcome({ success: true, status: 200 }));
      expect(events).toHaveLength(2);
      // Half-open comes from the clock; no event for it (every replica computes it alike).
      clock.now = T0 + 510;
      expect(reg.backend('local').breaker).toBe('half_open');
      expect(reg.breaker('local', 'llama3.2')).toBe('half_open');
      reg.record(outcome({ success: true, status: 200 }));
      expect(events).toHaveLength(2);
      clock.now = T0 + 520;
      reg.record(outcome({ success: true, status: 200 }));
      expect(events.slice(2)).toEqual([
        { key: 'local', state: 'closed', at: T0 + 520 },
        { key: 'local/llama3.2', state: 'closed', at: T0 + 520 },
      ]);
    });

    it('fires open again on a failure in half-open', () => {
      const { reg, clock, events } = setup();
      reg.record(outcome());
      reg.record(outcome());
      clock.now = T0 + 600;
      reg.record(outcome({ status: 429 }));
      expect(events.slice(2)).toEqual([
        { key: 'local', state: 'open', at: T0 + 600 },
        { key: 'local/llama3.2', state: 'open', at: T0 + 600 },
      ]);
      expect(reg.backend('local').breaker).toBe('open');
    });

    it('fires only for the key that changed', () => {
      const { reg, events } = setup();
      reg.record(outcome({ model: 'qwen', success: true, status: 200 }));
      reg.record(outcome({ model: 'qwen', success: true, status: 200 }));
      reg.record(outcome({ model: 'llama3.2' }));
      reg.record(outcome({ model: 'llama3.2' })); // model 2/2, backend 2/4 -> both trip
      reg.record(outcome({ model: 'qwen', success: true, status: 200 }));
      expect(events.map((e) => `${e.key} ${e.state}`)).toEqual(['local open', 'local/llama3.2 open']);
      const { reg: reg2, events: events2 } = setup();
      for (let i = 0; i < 3; i++) reg2.record(outcome({ model: 'qwen', success: true, status: 200 }));
      reg2.record(outcome({ model: 'llama3.2' }));
      reg2.record(outcome({ model: 'llama3.2' })); // model 2/2 trips; backend 2/5 does not
      expect(events2.map((e) => `${e.key} ${e.state}`)).toEqual(['local/llama3.2 open']);
    });

    it('does not fire for 4xx client errors', () => {
      const { reg, events } = setup();
      for (let i = 0; i < 10; i++) reg.record(outcome({ status: 400 }));
      expect(events).toEqual([]);
    });
  });

  describe('applyBreaker', () => {
    it('opens and closes a backend breaker, without echoing onBreaker', () => {
      const { reg, clock, events } = setup();
      reg.applyBreaker({ key: 'cloud', state: 'open', at: T0 - 100 });
      expect(reg.backend('cloud').breaker).toBe('open');
      clock.now = T0 + 399;
      expect(reg.backend('cloud').breaker).toBe('open');
      clock.now = T0 + 400; // openMs after `at`, not after it was applied
      expect(reg.backend('cloud').breaker).toBe('half_open');
      reg.applyBreaker({ key: 'cloud', state: 'closed', at: T0 + 400 });
      expect(reg.backend('cloud').breaker).toBe('closed');
      expect(events).toEqual([]);
    });

    it('opens a backend/model breaker, even one never recorded', () => {
      const { reg } = setup();
      reg.applyBreaker({ key: 'cloud/gpt-4o-mini', state: 'open', at: T0 });
      expect(reg.breaker('cloud', 'gpt-4o-mini')).toBe('open');
      expect(reg.backend('cloud').breaker).toBe('closed');
      reg.applyBreaker({ key: 'cloud/gpt-4o-mini', state: 'closed', at: T0 });
      expect(reg.breaker('cloud', 'gpt-4o-mini')).toBe('closed');
    });

    it.each([
      ['a model id with a slash', 'cloud', 'openai/gpt-4o'],
      ['a backend name with a slash', 'eu/vllm', 'meta-llama/Llama-3-8B'],
    ])('handles %s', (_name, backend, model) => {
      const { reg } = setup();
      reg.applyBreaker({ key: `${backend}/${model}`, state: 'open', at: T0 });
      expect(reg.breaker(backend, model)).toBe('open');
      expect(reg.backend(backend).breaker).toBe('closed');
    });

    it('applies a backend breaker whose name has a slash to the backend', () => {
      const { reg } = setup();
      reg.applyBreaker({ key: 'eu/vllm', state: 'open', at: T0 });
      expect(reg.backend('eu/vllm').breaker).toBe('open');
    });

    it('ignores keys of backends it does not know', () => {
      const { reg } = setup();
      expect(() => reg.applyBreaker({ key: 'gone', state: 'open', at: T0 })).not.toThrow();
      expect(() => reg.applyBreaker({ key: 'gone/model', state: 'open', at: T0 })).not.toThrow();
      expect(reg.breaker('gone', 'model')).toBe('closed');
    });

    it('ignores half_open (it follows from the open time)', () => {
      const { reg } = setup();
      reg.applyBreaker({ key: 'local', state: 'half_open', at: T0 });
      expect(reg.backend('local').breaker).toBe('closed');
    });

    it('a breaker opened elsewhere closes here after half-open successes', () => {
      const { reg, clock, events } = setup();
      reg.applyBreaker({ key: 'local/llama3.2', state: 'open', at: T0 });
      clock.now = T0 + 500;
      reg.record(outcome({ success: true, status: 200 }));
      reg.record(outcome({ success: true, status: 200 }));
      expect(reg.breaker('local', 'llama3.2')).toBe('closed');
      expect(events).toEqual([{ key: 'local/llama3.2', state: 'closed', at: T0 + 500 }]);
    });
  });

  describe('health', () => {
    it('probed() applies hysteresis and says when the verdict changed', () => {
      const { reg } = setup();
      expect(reg.probed('local', false, 'ECONNREFUSED')).toBe(false);
      expect(reg.backend('local').healthy).toBe(true);
      expect(reg.probed('local', false, 'ECONNREFUSED')).toBe(true);
      expect(reg.backend('local').healthy).toBe(false);
      expect(reg.lastError('local')).toBe('ECONNREFUSED');
      expect(reg.probed('local', true)).toBe(false);
      expect(reg.probed('local', true)).toBe(false);
      expect(reg.probed('local', true)).toBe(true);
      expect(reg.backend('local').healthy).toBe(true);
    });

    it('probed() on an unknown backend is a no-op', () => {
      const { reg } = setup();
      expect(reg.probed('gone', false)).toBe(false);
    });

    it.each([
      [true, false],
      [false, true],
      [true, true],
      [false, false],
    ])('setHealth(%s) from healthy=%s', (from, to) => {
      const { reg } = setup();
      reg.setHealth('local', from, 'first');
      expect(reg.backend('local').healthy).toBe(from);
      reg.setHealth('local', to, to ? undefined : 'connect ETIMEDOUT');
      expect(reg.backend('local').healthy).toBe(to);
      if (!to && from) expect(reg.lastError('local')).toBe('connect ETIMEDOUT');
      expect(reg.backend('cloud').healthy).toBe(true);
    });

    it('setHealth() is immediate, whatever the hysteresis', () => {
      const { reg } = setup();
      reg.setHealth('local', false, 'HTTP 503');
      expect(reg.backend('local').healthy).toBe(false);
      expect(reg.lastError('local')).toBe('HTTP 503');
      // After it, the usual hysteresis applies again: 3 successes to come back.
      expect(reg.probed('local', true)).toBe(false);
      expect(reg.probed('local', true)).toBe(false);
      expect(reg.probed('local', true)).toBe(true);
    });

    it('setHealth() on an unknown backend is a no-op', () => {
      const { reg } = setup();
      expect(() => reg.setHealth('gone', false)).not.toThrow();
      expect(reg.lastError('gone')).toBeUndefined();
    });
  });

  it('setStats() replaces the measured statistics', () => {
    const { reg } = setup();
    reg.setStats('local', 150, 42);
    expect(reg.backend('local')).toMatchObject({ ttftMs: 150, tokensPerSec: 42 });
    reg.setStats('local', undefined, undefined);
    expect(reg.backend('local')).toMatchObject({ ttftMs: undefined, tokensPerSec: undefined });
    expect(() => reg.setStats('gone', 1, 1)).not.toThrow();
  });
});
