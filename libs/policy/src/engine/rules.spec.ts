import { parseConfig } from '@switchyard/contracts';
import { compileGlob } from './glob';
import type { RequestFeatures } from './policy.types';
import { compileRules } from './rules';

function features(over: Partial<RequestFeatures> = {}): RequestFeatures {
  return { model: 'chat', promptTokens: 10, stream: false, tags: [], headers: {}, pii: [], ...over };
}

/** Rules exactly as the config loader builds them (defaults applied, validation run). */
function rules(yaml: string) {
  const config = parseConfig(
    `
backends:
  - { name: local, protocol: ollama, baseUrl: "http://127.0.0.1:11434", tier: local, models: [m] }
policy:
  rules:
${yaml}
`,
    {},
  );
  return compileRules(config.policy.rules);
}

describe('compileGlob', () => {
  it.each<[string, string | undefined, boolean]>([
    ['*', 'anything', true],
    ['*', '', true],
    ['*', undefined, false],
    ['acme', 'acme', true],
    ['acme', 'acme-eu', false],
    ['acme', 'ACME', false],
    ['acme', undefined, false],
    ['acme-*', 'acme-eu', true],
    ['acme-*', 'acme-', true],
    ['acme-*', 'acme', false],
    ['acme-*', 'xacme-eu', false],
    ['*-eu', 'acme-eu', true],
    ['*-eu', 'acme-eu-2', false],
    ['gpt-*-mini', 'gpt-4o-mini', true],
    ['gpt-*-mini', 'gpt-4o', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'acb', false],
    ['acme-*', undefined, false],
    // Regex metacharacters are literal.
    ['llama3.2', 'llama3.2', true],
    ['llama3.2', 'llama3x2', false],
    ['llama3.*', 'llama3.2', true],
    ['llama3.*', 'llama312', false],
    ['a+b', 'a+b', true],
    ['a+b*', 'aab', false],
    ['(x)|[y]*', '(x)|[y]z', true],
    ['(x)|[y]*', 'x', false],
    ['^$\\{}?*', '^$\\{}?!', true],
    ['org/*', 'org/team', true],
  ])('%j on %j -> %s', (glob, value, expected) => {
    expect(compileGlob(glob)(value)).toBe(expected);
  });
});

describe('compileRules', () => {
  describe('each condition', () => {
    it.each<[string, string, Partial<RequestFeatures>, boolean]>([
      ['empty match matches all', '{}', {}, true],
      ['tenant exact', '{ tenant: acme }', { tenant: 'acme' }, true],
      ['tenant exact, other tenant', '{ tenant: acme }', { tenant: 'globex' }, false],
      ['tenant glob', '{ tenant: "acme-*" }', { tenant: 'acme-eu' }, true],
      ['tenant glob, no tenant', '{ tenant: "*" }', {}, false],
      ['tenant glob, any tenant', '{ tenant: "*" }', { tenant: 'x' }, true],
      ['model glob', '{ model: "gpt-*" }', { model: 'gpt-4o' }, true],
      ['model glob, other model', '{ model: "gpt-*" }', { model: 'chat' }, false],
      ['tags all present', '{ tags: [batch, nightly] }', { tags: ['nightly', 'x', 'batch'] }, true],
      ['tags one missing', '{ tags: [batch, nightly] }', { tags: ['batch'] }, false],
      ['tags none sent', '{ tags: [batch] }', {}, false],
      ['tags empty list matches all', '{ tags: [] }', {}, true],
      ['pii true, has pii', '{ pii: true }', { pii: ['email'] }, true],
      ['pii true, no pii', '{ pii: true }', {}, false],
      ['pii false, no pii', '{ pii: false }', {}, true],
      ['pii false, has pii', '{ pii: false }', { pii: ['phone'] }, false],
      ['header value', '{ header: { x-team: ml } }', { headers: { 'x-team': 'ml' } }, true],
      ['header name case-insensitive', '{ header: { X-Team: ml } }', { headers: { 'x-team': 'ml' } }, true],
      ['header value glob', '{ header: { x-team: "ml-*" } }', { headers: { 'x-team': 'ml-research' } }, true],
      ['header other value', '{ header: { x-team: ml } }', { headers: { 'x-team': 'web' } }, false],
      ['header absent', '{ header: { x-team: "*" } }', { headers: {} }, false],
      ['header undefined value', '{ header: { x-team: "*" } }', { headers: { 'x-team': undefined } }, false],
      ['all headers must hold', '{ header: { x-team: ml, x-env: prod } }', { headers: { 'x-team': 'ml', 'x-env': 'dev' } }, false],
      [
        'every condition holds',
        '{ tenant: "acme*", model: chat, tags: [batch], pii: false, header: { x-env: prod } }',
        { tenant: 'acme', tags: ['batch'], headers: { 'x-env': 'prod' } },
        true,
      ],
      [
        'one condition fails',
        '{ tenant: "acme*", model: chat, tags: [batch], pii: false, header: { x-env: prod } }',
        { tenant: 'acme', tags: ['batch'], headers: { 'x-env': 'prod' }, pii: ['email'] },
        false,
      ],
    ])('%s', (_name, match, f, expected) => {
      const [rule] = rules(`    - { name: r, match: ${match}, action: { tier: local } }`);
      expect(rule.matches(features(f))).toBe(expected);
    });
  });

  it('keeps names, order and actions', () => {
    const compiled = rules(`
    - { name: no-batch, match: { tags: [batch] }, action: { deny: "no batch jobs" } }
    - { name: pinned, match: { tenant: acme }, action: { tier: cloud, backends: [local], strategy: cheapest } }
    - { name: no-match-key, action: { tier: any } }`);
    expect(compiled.map((r) => r.name)).toEqual(['no-batch', 'pinned', 'no-match-key']);
    expect(compiled[0].action.deny).toBe('no batch jobs');
    expect(compiled[1].action).toMatchObject({ tier: 'cloud', backends: ['local'], strategy: 'cheapest' });
    // A rule without `match` matches everything (the loader defaults it to an empty match).
    expect(compiled[2].matches(features())).toBe(true);
  });

  it('first match wins when the caller takes the first', () => {
    const compiled = rules(`
    - { name: acme-eu, match: { tenant: "acme-eu" }, action: { tier: local } }
    - { name: acme, match: { tenant: "acme*" }, action: { tier: cloud } }
    - { name: catch-all, action: { tier: any } }`);
    const first = (f: RequestFeatures): string | undefined => compiled.find((r) => r.matches(f))?.name;
    expect(first(features({ tenant: 'acme-eu' }))).toBe('acme-eu');
    expect(first(features({ tenant: 'acme-us' }))).toBe('acme');
    expect(first(features({ tenant: 'globex' }))).toBe('catch-all');
  });
});
