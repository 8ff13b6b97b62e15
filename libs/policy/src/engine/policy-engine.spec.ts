import { parseConfig, type Strategy } from '@switchyard/contracts';
import { BackendStateRegistry } from '../state/backend-state';
import { seeded } from '../seeded.mock';
import { decisionKey } from './decision-key';
import { PolicyEngine } from './policy-engine';
import type { BackendSnapshot, BreakerState, RequestFeatures, RouteDecision, StateView } from './policy.types';

const BACKENDS = `
backends:
  - name: ollama
    protocol: ollama
    baseUrl: "http://127.0.0.1:11434"
    tier: local
    maxConcurrency: 4
    costPerHour: 0.36
    contextWindow: 8192
    models: [llama3.2, { id: small, contextWindow: 2048 }]
  - name: vllm
    protocol: openai
    baseUrl: "http://127.0.0.1:8000/v1"
    tier: local
    maxConcurrency: 8
    models: [llama3.2]
  - name: openai
    protocol: openai
    baseUrl: "https://api.openai.com/v1"
    tier: cloud
    contextWindow: 128000
    price: { input: 0.15, output: 0.6 }
    models: [gpt-4o-mini, { id: gpt-4o, price: { input: 2.5, output: 10 } }]
  - name: anthropic
    protocol: anthropic
    baseUrl: "https://api.anthropic.com"
    tier: cloud
    models: [{ id: claude-haiku, contextWindow: 200000, price: { input: 0.8, output: 4 } }]
models:
  - name: chat
    targets:
      - { backend: ollama, model: llama3.2, weight: 3 }
      - { backend: vllm, model: llama3.2, weight: 1 }
      - { backend: openai, model: gpt-4o-mini, weight: 1 }
  - name: smart
    targets:
      - { backend: openai, model: gpt-4o }
      - { backend: anthropic, model: claude-haiku }
  - name: tiny
    targets:
      - { backend: ollama, model: small }
      - { backend: openai, model: gpt-4o-mini }
`;

/** An engine over BACKENDS with `policy` (YAML, indented under `policy:`), through the real loader. */
function engine(policy = '', random?: () => number): PolicyEngine {
  const config = parseConfig(policy ? `${BACKENDS}\npolicy:\n${policy}` : BACKENDS, {});
  return new PolicyEngine(config, random);
}

/** A hand-rolled StateView: every backend idle, healthy and closed unless told otherwise. */
class FakeState implements StateView {
  constructor(
    private readonly backends: Record<string, Partial<BackendSnapshot>> = {},
    private readonly models: Record<string, BreakerState> = {},
  ) {}

  backend(name: string): BackendSnapshot {
    return { healthy: true, breaker: 'closed', inFlight: 0, ...this.backends[name] };
  }

  breaker(backend: string, model: string): BreakerState {
    return this.models[`${backend}/${model}`] ?? 'closed';
  }
}

function features(over: Partial<RequestFeatures> = {}): RequestFeatures {
  return { model: 'chat', promptTokens: 1_000, stream: false, tags: [], headers: {}, pii: [], ...over };
}

const never = (): number => {
  throw new Error('random() must not be called');
};

function decide(e: PolicyEngine, f: Partial<RequestFeatures> = {}, state: StateView = new FakeState()): RouteDecision {
  const d = e.decide(features(f), state);
  if (!d) throw new Error('expected a decision');
  return d;
}

const names = (d: RouteDecision): string[] => d.candidates.map((c) => c.backend);
/** The candidates tried in their own right, and those tried only in panic (breaker or probes excluded them). */
const live = (d: RouteDecision): string[] => d.candidates.filter((c) => !c.panic).map((c) => c.backend);
const panicked = (d: RouteDecision): string[] => d.candidates.filter((c) => c.panic).map((c) => c.backend);
const drops = (d: RouteDecision): string[] => d.dropped.map((c) => `${c.backend}/${c.model}: ${c.reason}`);

describe('PolicyEngine', () => {
  it('returns undefined for an unknown model', () => {
    expect(engine().decide(features({ model: 'gpt-5' }), new FakeState())).toBeUndefined();
  });

  it('gives the default decision for a public model: its chain, explained', () => {
    const d = decide(engine('', never));
    expect(d).toEqual({
      route: 'model:chat',
      strategy: 'local-first',
      candidates: [
        { backend: 'ollama', model: 'llama3.2', tier: 'local', reason: 'local first (0/4 in flight)', code: 'preferred', estimatedCostUsd: expect.any(Number) },
        { backend: 'vllm', model: 'llama3.2', tier: 'local', reason: 'local first (0/8 in flight)', code: 'preferred', estimatedCostUsd: 0 },
        { backend: 'openai', model: 'gpt-4o-mini', tier: 'cloud', reason: 'cloud, after local', code: 'after_preferred', estimatedCostUsd: expect.any(Number) },
      ],
      dropped: [],
      privacy: { categories: [], action: 'none' },
    });
  });

  it.each([
    ['llama3.2', 'direct', ['ollama', 'vllm']],
    ['gpt-4o-mini', 'direct', ['openai']],
    ['smart', 'model:smart', ['openai', 'anthropic']],
  ])('%s routes as %s', (model, route, chain) => {
    const d = decide(engine(), { model });
    expect(d.route).toBe(route);
    expect(names(d)).toEqual(chain);
  });

  describe('strategies', () => {
    it.each<[string, Strategy, Partial<RequestFeatures>, Record<string, Partial<BackendSnapshot>>, number, string[]]>([
      ['local-first, idle', 'local-first', {}, {}, 0, ['ollama', 'vllm', 'openai']],
      ['local-first, busier equal goes second', 'local-first', {}, { ollama: { inFlight: 2 }, vllm: { inFlight: 1 } }, 0, ['vllm', 'ollama', 'openai']],
      ['local-first, saturated local spills to cloud', 'local-first', {}, { ollama: { inFlight: 4 } }, 0, ['vllm', 'openai', 'ollama']],
      ['local-first, every local saturated', 'local-first', {}, { ollama: { inFlight: 4 }, vllm: { inFlight: 9 } }, 0, ['openai', 'ollama', 'vllm']],
      [
        'local-first, locals predicted over budget',
        'local-first',
        { maxTokens: 100, maxLatencyMs: 3_000 },
        { ollama: { ttftMs: 2_000, tokensPerSec: 10 }, vllm: { ttftMs: 2_000, tokensPerSec: 10 } },
        0,
        ['openai', 'ollama', 'vllm'],
      ],
      [
        'local-first, one local within budget',
        'local-first',
        { maxTokens: 100, maxLatencyMs: 3_000 },
        { ollama: { ttftMs: 2_000, tokensPerSec: 10 }, vllm: { ttftMs: 200, tokensPerSec: 100 } },
        0,
        ['vllm', 'openai', 'ollama'],
      ],
      ['cloud-first', 'cloud-first', {}, {}, 0, ['openai', 'ollama', 'vllm']],
      ['cloud-first, saturated cloud falls back to local', 'cloud-first', {}, { openai: { inFlight: 64 } }, 0, ['ollama', 'vllm', 'openai']],
      ['cheapest', 'cheapest', { maxTokens: 500 }, { ollama: { tokensPerSec: 50 } }, 0, ['vllm', 'openai', 'ollama']],
      ['cheapest, fast local box beats the cloud', 'cheapest', { maxTokens: 500 }, { ollama: { tokensPerSec: 1_000 } }, 0, ['vllm', 'ollama', 'openai']],
      [
        'fastest',
        'fastest',
        { maxTokens: 500 },
        { ollama: { ttftMs: 100, tokensPerSec: 100 }, vllm: { ttftMs: 50, tokensPerSec: 200 }, openai: { ttftMs: 400, tokensPerSec: 80 } },
        0,
        ['vllm', 'ollama', 'openai'],
      ],
      [
        'fastest, queue counts',
        'fastest',
        { maxTokens: 500 },
        { ollama: { ttftMs: 100, tokensPerSec: 100 }, vllm: { ttftMs: 50, tokensPerSec: 200, inFlight: 8 }, openai: { ttftMs: 400, tokensPerSec: 80 } },
        0,
        ['ollama', 'vllm', 'openai'],
      ],
      ['weighted, draw in the first 3/5', 'weighted', {}, {}, 0.59, ['ollama', 'vllm', 'openai']],
      ['weighted, draw in the next 1/5', 'weighted', {}, {}, 0.65, ['vllm', 'ollama', 'openai']],
      ['weighted, draw in the last 1/5', 'weighted', {}, {}, 0.9, ['openai', 'ollama', 'vllm']],
    ])('%s', (_name, strategy, f, state, r, expected) => {
      const d = decide(
        engine(`  strategy: ${strategy}\n`, () => r),
        f,
        new FakeState(state),
      );
      expect(d.strategy).toBe(strategy);
      expect(names(d)).toEqual(expected);
      expect(d.dropped).toEqual([]);
      for (const c of d.candidates) expect(c.reason).toEqual(expect.any(String));
    });

    it('reports estimated cost and predicted latency per candidate', () => {
      const e = engine('  rules: [{ name: cheap, action: { strategy: cheapest } }]\n');
      const d = decide(e, { maxTokens: 500 }, new FakeState({ ollama: { tokensPerSec: 50, ttftMs: 100 } }));
      expect(d.candidates.map((c) => [c.backend, c.estimatedCostUsd, c.predictedMs])).toEqual([
        ['vllm', 0, undefined],
        ['openai', 0.00045, undefined], // (1000 * 0.15 + 500 * 0.6) / 1e6
        ['ollama', 0.0012, 10_100], // $0.36/h * (100 + 500) / 50 s; 100 ms + 500 / 50 s
      ]);
      expect(d.candidates.map((c) => c.reason)).toEqual(['cheapest: $0.00', 'cheapest: $0.000450', 'cheapest: $0.00120']);
    });

    it('uses the model price over the backend price', () => {
      const d = decide(engine(), { model: 'smart', maxTokens: 1_000 });
      expect(d.candidates.map((c) => [c.backend, c.estimatedCostUsd])).toEqual([
        ['openai', 0.0125], // gpt-4o: (1000 * 2.5 + 1000 * 10) / 1e6
        ['anthropic', 0.0048], // (1000 * 0.8 + 1000 * 4) / 1e6
      ]);
    });

    it('weighted draws with the injected random, once per decision', () => {
      const random = jest.fn(() => 0.7);
      const d = decide(engine('  strategy: weighted\n', random));
      expect(random).toHaveBeenCalledTimes(1);
      expect(names(d)).toEqual(['vllm', 'ollama', 'openai']);
      expect(d.candidates[0].reason).toBe('weighted: drawn with weight 1/5');
    });

    it('weighted only draws among what is left', () => {
      const d = decide(
        engine('  strategy: weighted\n', () => 0),
        {},
        new FakeState({ ollama: { healthy: false } }),
      );
      expect(live(d)).toEqual(['vllm', 'openai']);
      expect(panicked(d)).toEqual(['ollama']);
      expect(d.candidates[0].reason).toBe('weighted: drawn with weight 1/2');
    });

    it('is deterministic apart from the weighted draw', () => {
      const e = engine();
      const state = new FakeState({ ollama: { inFlight: 4, ttftMs: 300, tokensPerSec: 40 } });
      expect(decide(e, { maxLatencyMs: 500 }, state)).toEqual(decide(e, { maxLatencyMs: 500 }, state));
    });
  });

  describe('rules', () => {
    const RULES = `  rules:
    - { name: deny-batch, match: { tags: [batch, nightly] }, action: { deny: "no batch jobs at night" } }
    - { name: acme-cloud, match: { tenant: "acme-*" }, action: { tier: cloud } }
    - { name: gpt-cheap, match: { model: "gpt-*" }, action: { strategy: cheapest } }
    - { name: pii-local, match: { pii: true }, action: { tier: local } }
    - { name: ml-team, match: { header: { x-team: "ml-*" } }, action: { backends: [vllm, openai], strategy: fastest } }
    - { name: globex-clean, match: { tenant: globex, pii: false }, action: { tier: any, strategy: cloud-first } }
`;

    it.each<[string, Partial<RequestFeatures>, string, Strategy, string[], string[]]>([
      ['no rule matches: the model route and the default strategy', { tenant: 'initech' }, 'model:chat', 'local-first', ['ollama', 'vllm', 'openai'], []],
      ['no rule matches a direct model: direct', { model: 'llama3.2' }, 'direct', 'local-first', ['ollama', 'vllm'], []],
      [
        'tenant glob + tier cloud',
        { tenant: 'acme-eu' },
        'acme-cloud',
        'local-first',
        ['openai'],
        ['ollama/llama3.2: rule "acme-cloud" keeps tier cloud', 'vllm/llama3.2: rule "acme-cloud" keeps tier cloud'],
      ],
      [
        'tags: only some present does not match',
        { tags: ['batch'], tenant: 'acme-eu' },
        'acme-cloud',
        'local-first',
        ['openai'],
        ['ollama/llama3.2: rule "acme-cloud" keeps tier cloud', 'vllm/llama3.2: rule "acme-cloud" keeps tier cloud'],
      ],
      ['model glob + strategy', { model: 'gpt-4o-mini' }, 'gpt-cheap', 'cheapest', ['openai'], []],
      ['pii true + tier local', { pii: ['email'] }, 'pii-local', 'local-first', ['ollama', 'vllm'], ['openai/gpt-4o-mini: rule "pii-local" keeps tier local']],
      [
        'header glob + backends',
        { headers: { 'x-team': 'ml-research' } },
        'ml-team',
        'fastest',
        ['vllm', 'openai'],
        ['ollama/llama3.2: rule "ml-team" allows backends vllm, openai'],
      ],
      ['header other value does not match', { headers: { 'x-team': 'web' } }, 'model:chat', 'local-first', ['ollama', 'vllm', 'openai'], []],
      ['pii false + tier any', { tenant: 'globex' }, 'globex-clean', 'cloud-first', ['openai', 'ollama', 'vllm'], []],
      [
        'first match wins: pii-local before globex-clean',
        { tenant: 'globex', pii: ['phone'] },
        'pii-local',
        'local-first',
        ['ollama', 'vllm'],
        ['openai/gpt-4o-mini: rule "pii-local" keeps tier local'],
      ],
      ['first match wins: acme-cloud before gpt-cheap', { tenant: 'acme-us', model: 'gpt-4o-mini' }, 'acme-cloud', 'local-first', ['openai'], []],
      [
        'a rule can leave nothing: dropped says why',
        { tenant: 'acme-eu', model: 'llama3.2' },
        'acme-cloud',
        'local-first',
        [],
        ['ollama/llama3.2: rule "acme-cloud" keeps tier cloud', 'vllm/llama3.2: rule "acme-cloud" keeps tier cloud'],
      ],
    ])('%s', (_name, f, route, strategy, candidates, dropped) => {
      const d = decide(engine(RULES), f);
      expect(d.deny).toBeUndefined();
      expect(d.route).toBe(route);
      expect(d.strategy).toBe(strategy);
      expect(names(d)).toEqual(candidates);
      expect(drops(d)).toEqual(dropped);
    });

    it.each<[string, Partial<RequestFeatures>]>([
      ['all tags present', { tags: ['nightly', 'batch'] }],
      ['first match wins over a later rule that also matches', { tags: ['batch', 'nightly'], tenant: 'acme-eu', pii: ['email'] }],
    ])('deny: %s', (_name, f) => {
      const d = decide(engine(RULES), f);
      expect(d.route).toBe('deny-batch');
      expect(d.deny).toEqual({ code: 'policy_denied', message: 'Refused by policy rule "deny-batch": no batch jobs at night' });
      expect(d.candidates).toEqual([]);
      expect(d.dropped).toEqual([]);
    });

    it('tier and backends together', () => {
      const e = engine('  rules: [{ name: pin, action: { tier: local, backends: [vllm, openai] } }]\n');
      const d = decide(e);
      expect(names(d)).toEqual(['vllm']);
      expect(drops(d)).toEqual(['openai/gpt-4o-mini: rule "pin" keeps tier local', 'ollama/llama3.2: rule "pin" allows backends vllm, openai']);
    });

    it('a rule denies before privacy does', () => {
      const e = engine('  privacy: { onPii: deny }\n  rules: [{ name: stop, match: { pii: true }, action: { deny: "no" } }]\n');
      expect(decide(e, { pii: ['email'] }).deny?.code).toBe('policy_denied');
    });
  });

  describe('privacy', () => {
    const onPii = (action: string, rules = ''): PolicyEngine => engine(`  privacy: { onPii: ${action} }\n${rules}`);

    it.each(['local-only', 'redact', 'deny', 'allow'])('%s: a prompt without PII goes anywhere', (action) => {
      const d = decide(onPii(action));
      expect(d.privacy).toEqual({ categories: [], action: 'none' });
      expect(d.deny).toBeUndefined();
      expect(names(d)).toEqual(['ollama', 'vllm', 'openai']);
      expect(d.candidates.some((c) => c.redact)).toBe(false);
    });

    it('local-only keeps the prompt on local backends', () => {
      const d = decide(onPii('local-only'), { pii: ['email', 'phone'] });
      expect(d.privacy).toEqual({ categories: ['email', 'phone'], action: 'local-only' });
      expect(names(d)).toEqual(['ollama', 'vllm']);
      expect(drops(d)).toEqual(['openai/gpt-4o-mini: privacy: prompt has email, phone; onPii local-only']);
    });

    it('local-only with no local backend refuses (pii_local_only)', () => {
      const d = decide(onPii('local-only'), { model: 'smart', pii: ['credit_card'] });
      expect(d.deny?.code).toBe('pii_local_only');
      expect(d.deny?.message).toMatch(/credit_card.*no local backend serves model smart/);
      expect(d.candidates).toEqual([]);
      expect(d.privacy.action).toBe('local-only');
    });

    it('local-only after a rule kept only cloud refuses too', () => {
      const d = decide(onPii('local-only', '  rules: [{ name: cloudy, action: { tier: cloud } }]\n'), { pii: ['email'] });
      expect(d.deny?.code).toBe('pii_local_only');
    });

    it('local-only does not refuse when the local backends are merely down: they are tried', () => {
      const d = decide(onPii('local-only'), { pii: ['email'] }, new FakeState({ ollama: { healthy: false }, vllm: { breaker: 'open' } }));
      expect(d.deny).toBeUndefined();
      expect(names(d)).toEqual(['ollama', 'vllm']);
    });

    it('redact marks cloud candidates only', () => {
      const d = decide(onPii('redact'), { pii: ['email'] });
      expect(d.privacy).toEqual({ categories: ['email'], action: 'redact' });
      expect(d.candidates.map((c) => [c.backend, c.redact])).toEqual([
        ['ollama', undefined],
        ['vllm', undefined],
        ['openai', true],
      ]);
      expect(d.dropped).toEqual([]);
    });

    it('deny refuses (pii_denied), naming the categories', () => {
      const d = decide(onPii('deny'), { pii: ['us_ssn'] });
      expect(d.deny).toEqual({ code: 'pii_denied', message: expect.stringContaining('us_ssn') });
      expect(d.candidates).toEqual([]);
      expect(d.privacy).toEqual({ categories: ['us_ssn'], action: 'deny' });
    });

    it('allow lets it go anywhere, unredacted, and says so', () => {
      const d = decide(onPii('allow'), { pii: ['email'] });
      expect(d.privacy).toEqual({ categories: ['email'], action: 'allow' });
      expect(names(d)).toEqual(['ollama', 'vllm', 'openai']);
      expect(d.candidates.some((c) => c.redact)).toBe(false);
    });

    it("a tenant's stance replaces the config's, stricter or looser", () => {
      const stricter = decide(onPii('allow'), { pii: ['email'], onPii: 'local-only' });
      expect(stricter.privacy.action).toBe('local-only');
      expect(names(stricter)).toEqual(['ollama', 'vllm']);
      const looser = decide(onPii('local-only'), { pii: ['email'], onPii: 'allow' });
      expect(looser.privacy.action).toBe('allow');
      expect(names(looser)).toEqual(['ollama', 'vllm', 'openai']);
      expect(decide(onPii('allow'), { pii: ['email'], onPii: 'deny' }).deny?.code).toBe('pii_denied');
      expect(decide(onPii('allow'), { pii: ['email'], onPii: 'redact' }).candidates.find((c) => c.tier === 'cloud')?.redact).toBe(true);
    });

    it("unscannable content stays local under a tenant's stance too, but not when the tenant allows PII", () => {
      const strict = engine('  privacy: { onPii: allow, unscannable: local-only }\n');
      expect(names(decide(strict, { unscannable: ['image'], onPii: 'redact' }))).toEqual(['ollama', 'vllm']);
      expect(names(decide(strict, { unscannable: ['image'] }))).toEqual(['ollama', 'vllm', 'openai']);
      const loose = engine('  privacy: { onPii: local-only, unscannable: local-only }\n');
      expect(names(decide(loose, { unscannable: ['image'], onPii: 'allow' }))).toEqual(['ollama', 'vllm', 'openai']);
    });
  });

  describe('context window', () => {
    it.each<[string, Partial<RequestFeatures>, string[], string[]]>([
      ['fits exactly', { model: 'tiny', promptTokens: 1_948, maxTokens: 100 }, ['ollama', 'openai'], []],
      [
        'one token over: dropped',
        { model: 'tiny', promptTokens: 1_949, maxTokens: 100 },
        ['openai'],
        ['ollama/small: context window 2048 < 2049 tokens (prompt ~1949 + max_tokens 100)'],
      ],
      [
        'no max_tokens: the prompt alone must fit',
        { model: 'tiny', promptTokens: 2_049 },
        ['openai'],
        ['ollama/small: context window 2048 < 2049 tokens (prompt ~2049 + max_tokens 0)'],
      ],
      // ollama's backend-wide window (8192) applies to llama3.2; vllm declares none, so it is never dropped.
      [
        'backend default window',
        { promptTokens: 8_000, maxTokens: 500 },
        ['vllm', 'openai'],
        ['ollama/llama3.2: context window 8192 < 8500 tokens (prompt ~8000 + max_tokens 500)'],
      ],
      [
        'model window overrides the backend one',
        { model: 'smart', promptTokens: 150_000, maxTokens: 1_000 },
        ['anthropic'],
        ['openai/gpt-4o: context window 128000 < 151000 tokens (prompt ~150000 + max_tokens 1000)'],
      ],
      [
        'nothing fits: nothing to try, every drop explained',
        { model: 'tiny', promptTokens: 200_000 },
        [],
        [
          'ollama/small: context window 2048 < 200000 tokens (prompt ~200000 + max_tokens 0)',
          'openai/gpt-4o-mini: context window 128000 < 200000 tokens (prompt ~200000 + max_tokens 0)',
        ],
      ],
    ])('%s', (_name, f, candidates, dropped) => {
      const d = decide(engine(), f);
      expect(names(d)).toEqual(candidates);
      expect(drops(d)).toEqual(dropped);
    });
  });

  describe('capabilities', () => {
    it.each<[string, Partial<RequestFeatures>, string[], string[]]>([
      ['plain text: every target', {}, ['ollama', 'vllm', 'openai'], []],
      ['n=1 is no need', { n: 1 }, ['ollama', 'vllm', 'openai'], []],
      ['n=2: Ollama answers one choice', { n: 2 }, ['vllm', 'openai'], ['ollama/llama3.2: cannot serve n=2 (ollama protocol) [n]']],
      ['logprobs: Ollama has none', { logprobs: true }, ['vllm', 'openai'], ['ollama/llama3.2: cannot serve logprobs (ollama protocol) [logprobs]']],
      ['tools, JSON mode, images: every protocol translates them', { tools: true, jsonMode: true, images: true }, ['ollama', 'vllm', 'openai'], []],
      ['n=2 on an Anthropic chain', { model: 'smart', n: 2 }, ['openai'], ['anthropic/claude-haiku: cannot serve n=2 (anthropic protocol) [n]']],
      [
        'embeddings: Anthropic serves none',
        { model: 'smart', embeddings: true },
        ['openai'],
        ['anthropic/claude-haiku: cannot serve embeddings (anthropic protocol) [model]'],
      ],
      [
        'token-id input: Ollama takes text only',
        { embeddings: true, tokenInput: true },
        ['vllm', 'openai'],
        ['ollama/llama3.2: cannot serve token-id input (ollama protocol) [input]'],
      ],
    ])('%s', (_name, f, candidates, dropped) => {
      const d = decide(engine(), f);
      expect(names(d)).toEqual(candidates);
      expect(d.dropped.map((x) => `${x.backend}/${x.model}: ${x.reason} [${x.param}]`)).toEqual(dropped);
    });

    it('configured capabilities override the protocol’s: backend, then model entry', () => {
      const config = parseConfig(
        BACKENDS.replace('    maxConcurrency: 8\n', '    maxConcurrency: 8\n    capabilities: { tools: false }\n').replace(
          'models: [gpt-4o-mini, { id: gpt-4o,',
          'models: [{ id: gpt-4o-mini, capabilities: { images: false } }, { id: gpt-4o,',
        ),
        {},
      );
      const e = new PolicyEngine(config, never);
      expect(decide(e, { tools: true }).dropped.map((x) => x.reason)).toEqual(['cannot serve tools (backend capabilities.tools: false)']);
      const images = decide(e, { images: true });
      expect(names(images)).toEqual(['ollama', 'vllm']);
      expect(images.dropped).toEqual([
        {
          backend: 'openai',
          model: 'gpt-4o-mini',
          tier: 'cloud',
          reason: 'cannot serve image input (model capabilities.images: false)',
          code: 'capability',
          param: 'messages',
        },
      ]);
      expect(names(decide(e, { model: 'smart', images: true }))).toEqual(['openai', 'anthropic']);
    });

    it('nothing left: no candidate, every drop explained with the field to blame', () => {
      const only = decide(engine(), { model: 'small', n: 3 });
      expect(only.candidates).toEqual([]);
      expect(only.dropped).toEqual([
        { backend: 'ollama', model: 'small', tier: 'local', reason: 'cannot serve n=3 (ollama protocol)', code: 'capability', param: 'n' },
      ]);
    });

    it('a target that cannot serve the request is not tried even in panic', () => {
      const d = decide(engine(), { n: 2 }, new FakeState({ vllm: { breaker: 'open' }, openai: { healthy: false } }));
      expect(names(d)).toEqual(['vllm', 'openai']);
      expect(d.candidates.every((c) => c.panic)).toBe(true);
    });
  });

  describe('health and breakers', () => {
    it.each<[string, Record<string, Partial<BackendSnapshot>>, Record<string, BreakerState>, string[], string[]]>([
      ['unhealthy local: spills to what is left', { ollama: { healthy: false } }, {}, ['vllm', 'openai'], ['ollama/llama3.2: health probes failing']],
      [
        'every local unhealthy: cloud',
        { ollama: { healthy: false }, vllm: { healthy: false } },
        {},
        ['openai'],
        ['ollama/llama3.2: health probes failing', 'vllm/llama3.2: health probes failing'],
      ],
      ['backend breaker open', { vllm: { breaker: 'open' } }, {}, ['ollama', 'openai'], ['vllm/llama3.2: circuit open']],
      ['backend/model breaker open', {}, { 'openai/gpt-4o-mini': 'open' }, ['ollama', 'vllm'], ['openai/gpt-4o-mini: circuit open']],
      ['another model’s breaker does not matter', {}, { 'openai/gpt-4o': 'open', 'ollama/small': 'open' }, ['ollama', 'vllm', 'openai'], []],
      ['half-open is tried', { ollama: { breaker: 'half_open' } }, { 'openai/gpt-4o-mini': 'half_open' }, ['ollama', 'vllm', 'openai'], []],
      [
        'backend open wins over a closed model breaker',
        { openai: { breaker: 'open' } },
        { 'openai/gpt-4o-mini': 'closed' },
        ['ollama', 'vllm'],
        ['openai/gpt-4o-mini: circuit open'],
      ],
      [
        'unhealthy and open: health is the reason',
        { ollama: { healthy: false, breaker: 'open' } },
        {},
        ['vllm', 'openai'],
        ['ollama/llama3.2: health probes failing'],
      ],
    ])('%s', (_name, backends, models, candidates, dropped) => {
      const d = decide(engine(), {}, new FakeState(backends, models));
      expect(live(d)).toEqual(candidates);
      expect(drops(d)).toEqual(dropped);
      // What they excluded still follows, for panic routing; never before a live candidate.
      expect(panicked(d)).toEqual(d.dropped.map((x) => x.backend));
      expect(names(d)).toEqual([...candidates, ...panicked(d)]);
      for (const c of d.candidates) expect(c.reason?.startsWith('panic: ')).toBe(c.panic === true);
    });

    it('every candidate down: tries them all anyway, least recently failed first, and says so', () => {
      const state = new FakeState(
        { ollama: { healthy: false, inFlight: 4, lastFailureAt: 3_000 }, vllm: { breaker: 'open', lastFailureAt: 1_000 }, openai: { lastFailureAt: 2_000 } },
        { 'openai/gpt-4o-mini': 'open' },
      );
      const d = decide(engine(), {}, state);
      expect(names(d)).toEqual(['vllm', 'openai', 'ollama']);
      expect(d.candidates.every((c) => c.panic)).toBe(true);
      expect(d.candidates.map((c) => c.reason)).toEqual([
        'panic: circuit open, tried only if every candidate before it fails (least recently failed first)',
        'panic: circuit open, tried only if every candidate before it fails (least recently failed first)',
        'panic: health probes failing, tried only if every candidate before it fails (least recently failed first)',
      ]);
      expect(drops(d)).toEqual(['ollama/llama3.2: health probes failing', 'vllm/llama3.2: circuit open', 'openai/gpt-4o-mini: circuit open']);
    });

    it('panic candidates never failed (as far as state knows) go first, then in chain order; redact still applies', () => {
      const state = new FakeState({ ollama: { breaker: 'open', lastFailureAt: 5 }, vllm: { breaker: 'open' }, openai: { breaker: 'open' } });
      const d = decide(engine('  privacy: { onPii: redact }\n'), { pii: ['email'] }, state);
      expect(names(d)).toEqual(['vllm', 'openai', 'ollama']);
      expect(d.candidates.map((c) => c.redact)).toEqual([undefined, true, undefined]);
    });

    it('every candidate down: only those that passed the other checks are tried', () => {
      const state = new FakeState({ openai: { healthy: false } });
      const d = decide(engine(), { model: 'tiny', promptTokens: 5_000 }, state);
      expect(names(d)).toEqual(['openai']);
      expect(drops(d)).toEqual(['ollama/small: context window 2048 < 5000 tokens (prompt ~5000 + max_tokens 0)', 'openai/gpt-4o-mini: health probes failing']);
      expect(d.candidates[0]).toMatchObject({ panic: true, reason: expect.stringMatching(/^panic: health probes failing/) });
    });
  });

  describe('with a real BackendStateRegistry', () => {
    const policy = `  breaker: { failureRate: 0.5, minRequests: 2, windowMs: 1000, openMs: 500, halfOpenSuccesses: 1 }
  health: { failuresToDown: 1, successesToUp: 1 }
`;
    function setup(): { e: PolicyEngine; reg: BackendStateRegistry; clock: { now: number } } {
      const config = parseConfig(`${BACKENDS}\npolicy:\n${policy}`, {});
      const clock = { now: 1_000_000 };
      return { e: new PolicyEngine(config, never), reg: new BackendStateRegistry(config, () => clock.now), clock };
    }

    it('drops a tripped backend until its breaker half-opens', () => {
      const { e, reg, clock } = setup();
      reg.record({ backend: 'ollama', model: 'llama3.2', success: false, status: 503 });
      reg.record({ backend: 'ollama', model: 'llama3.2', success: false, status: 502 });
      let d = decide(e, {}, reg);
      expect(live(d)).toEqual(['vllm', 'openai']);
      expect(panicked(d)).toEqual(['ollama']);
      expect(drops(d)).toEqual(['ollama/llama3.2: circuit open']);
      clock.now += 500;
      d = decide(e, {}, reg);
      expect(names(d)).toEqual(['ollama', 'vllm', 'openai']);
      reg.record({ backend: 'ollama', model: 'llama3.2', success: true, status: 200 });
      expect(reg.backend('ollama').breaker).toBe('closed');
    });

    it('a tripped backend/model breaker drops that model only', () => {
      const { e, reg } = setup();
      for (let i = 0; i < 5; i++) reg.record({ backend: 'openai', model: 'gpt-4o-mini', success: true, status: 200 });
      reg.record({ backend: 'openai', model: 'gpt-4o', success: false, status: 500 });
      reg.record({ backend: 'openai', model: 'gpt-4o', success: false, status: 500 });
      expect(reg.backend('openai').breaker).toBe('closed');
      expect(drops(decide(e, { model: 'smart' }, reg))).toEqual(['openai/gpt-4o: circuit open']);
      expect(drops(decide(e, {}, reg))).toEqual([]);
    });

    it('4xx answers do not trip anything', () => {
      const { e, reg } = setup();
      for (let i = 0; i < 10; i++) reg.record({ backend: 'ollama', model: 'llama3.2', success: false, status: 400 });
      expect(decide(e, {}, reg).dropped).toEqual([]);
    });

    it('remembers when each backend last failed, for panic order', () => {
      const { e, reg, clock } = setup();
      reg.record({ backend: 'ollama', model: 'llama3.2', success: false, status: 500 });
      reg.record({ backend: 'ollama', model: 'llama3.2', success: false, status: 500 });
      clock.now += 10;
      reg.probed('vllm', false, 'ECONNREFUSED');
      reg.record({ backend: 'openai', model: 'gpt-4o-mini', success: false, status: 400 }); // the caller's fault: not a failure
      expect(reg.backend('ollama').lastFailureAt).toBe(1_000_000);
      expect(reg.backend('vllm').lastFailureAt).toBe(1_000_010);
      expect(reg.backend('openai').lastFailureAt).toBeUndefined();
      const d = decide(e, {}, reg);
      expect(live(d)).toEqual(['openai']);
      expect(panicked(d)).toEqual(['ollama', 'vllm']);
    });

    it('probes take a backend out and bring it back', () => {
      const { e, reg } = setup();
      reg.probed('vllm', false, 'ECONNREFUSED');
      expect(drops(decide(e, {}, reg))).toEqual(['vllm/llama3.2: health probes failing']);
      reg.probed('vllm', true);
      expect(decide(e, {}, reg).dropped).toEqual([]);
    });

    it('in-flight counts saturate and spill', () => {
      const { e, reg } = setup();
      for (let i = 0; i < 4; i++) reg.begin('ollama');
      expect(names(decide(e, {}, reg))).toEqual(['vllm', 'openai', 'ollama']);
      for (let i = 0; i < 8; i++) reg.begin('vllm');
      expect(names(decide(e, {}, reg))).toEqual(['openai', 'ollama', 'vllm']);
      reg.end('ollama');
      expect(names(decide(e, {}, reg))).toEqual(['ollama', 'openai', 'vllm']);
    });

    it('measured latency drives the latency budget', () => {
      const { e, reg } = setup();
      reg.record({ backend: 'ollama', model: 'llama3.2', success: true, status: 200, ttftMs: 1_500, outputTokens: 100, durationMs: 11_500 }); // 100 tokens in 10 s
      const d = decide(e, { model: 'llama3.2', maxTokens: 100, maxLatencyMs: 5_000 }, reg);
      expect(names(d)).toEqual(['vllm', 'ollama']);
      expect(d.candidates[1]).toMatchObject({ predictedMs: 11_500, reason: 'spilled: predicted 11500 ms > budget 5000 ms' });
    });
  });
});

describe('PolicyEngine.scope and decisionKey', () => {
  const RULES = `
  rules:
    - { name: team, match: { header: { X-Team: research } }, action: { tier: cloud } }
    - { name: acme, match: { tenant: "acme*" }, action: { strategy: cheapest } }
    - { name: batch, match: { tags: [batch] }, action: { strategy: fastest } }
  privacy: { onPii: local-only }`;

  it("names what rules read and the backends of the model's chain", () => {
    expect(engine(RULES).scope('chat')).toEqual({ tenant: true, tags: true, headers: ['x-team'], inFlight: ['ollama', 'vllm', 'openai'], weighted: false });
    expect(engine().scope('smart')).toEqual({ tenant: false, tags: false, headers: [], inFlight: ['openai', 'anthropic'], weighted: false });
    expect(engine().scope('no-such-model').inFlight).toEqual([]);
  });

  it('says which models may get weighted draws', () => {
    const e = engine(`
  rules:
    - { name: ab, match: { model: "sm*", tags: [ab] }, action: { strategy: weighted } }`);
    expect([e.scope('smart').weighted, e.scope('chat').weighted]).toEqual([true, false]);
    expect(engine('  strategy: weighted').scope('chat').weighted).toBe(true);
  });

  it('gives requests with the same key the same decision (fuzzed over features and in-flight counts)', () => {
    const e = engine(RULES, never);
    const r = seeded(7);
    const one = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const byKey = new Map<string, { f: RequestFeatures; d: RouteDecision | undefined }>();
    let repeats = 0;
    for (let i = 0; i < 8_000; i++) {
      const f = features({
        model: one(['chat', 'smart', 'tiny', 'nope']),
        tenant: one([undefined, 'acme-1', 'globex']),
        keyId: one(['a', 'b', 'c']),
        promptTokens: one([10, 2_000, 9_000]),
        maxTokens: one([undefined, undefined, 100]),
        maxLatencyMs: one([undefined, 50]),
        tags: one([[], ['batch'], ['other']]),
        headers: one([{}, { 'x-team': 'research' }, { 'x-other': 'research' }]),
        pii: one([[], ['email']]),
        onPii: one([undefined, 'redact', 'allow', 'deny'] as const),
        unscannable: one([undefined, ['image']]),
        tools: one([undefined, undefined, undefined, true]),
        n: one([undefined, undefined, undefined, 2]),
      });
      const inFlight = { ollama: one([0, 4]), vllm: one([0, 1]), openai: one([0, 2]), anthropic: 0 };
      const state = new FakeState(Object.fromEntries(Object.entries(inFlight).map(([b, n]) => [b, { inFlight: n, ttftMs: 200, tokensPerSec: 40 }])));
      const d = e.decide(f, state);
      const key = decisionKey(f, e.scope(f.model), inFlight);
      const seen = byKey.get(key);
      if (seen) {
        repeats++;
        expect({ f, d }).toEqual({ f, d: seen.d });
      } else byKey.set(key, { f, d });
    }
    expect(repeats).toBeGreaterThan(300);
  });

  it('tells apart requests whose privacy state differs', () => {
    const e = engine(RULES);
    const scope = e.scope('chat');
    const base = features();
    const keys = [
      base,
      features({ pii: ['email'] }),
      features({ pii: ['email'], onPii: 'allow' }),
      features({ unscannable: ['image'] }),
      features({ onPii: 'deny' }),
    ].map((f) => decisionKey(f, scope, {}));
    expect(new Set(keys).size).toBe(keys.length);
    // What nothing reads does not split the cache.
    expect(decisionKey(features({ keyId: 'other', headers: { 'x-unread': '1' } }), scope, { unrelated: 3 })).toBe(decisionKey(base, scope, {}));
  });
});
