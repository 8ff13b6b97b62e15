import { ConfigError, parseConfig } from './config.loader';

const minimal = `
backends:
  - name: local-ollama
    protocol: ollama
    baseUrl: http://127.0.0.1:11434
    tier: local
    models: [llama3.2]
  - name: openai
    protocol: openai
    baseUrl: https://api.openai.com/v1
    apiKey: \${OPENAI_API_KEY}
    tier: cloud
    models: [gpt-4o-mini]
models:
  - name: chat
    targets:
      - { backend: local-ollama, model: llama3.2 }
      - { backend: openai, model: gpt-4o-mini }
`;

describe('parseConfig', () => {
  it('accepts the minimal config of the design and fills defaults', () => {
    const config = parseConfig(minimal, { OPENAI_API_KEY: 'sk-test-key-123456' });
    expect(config.backends[1].apiKey).toBe('sk-test-key-123456');
    expect(config.backends[0].models).toEqual([{ id: 'llama3.2' }]);
    expect(config.backends[0].timeouts.connectMs).toBe(5000);
    expect(config.backends[0].maxConcurrency).toBe(64);
    expect(config.server.bodyLimitBytes).toBe(10 * 1024 * 1024);
    expect(config.models[0].targets).toHaveLength(2);
  });

  it.each([
    ['a nested value', '{ X-Org: { nested: 1 } }', 'backends[0].headers must give header X-Org a string value (got {"nested":1})'],
    ['a number', '{ X-Org: 5 }', 'backends[0].headers must give header X-Org a string value (got 5)'],
    ['a name that is not a header name', '{ "X Org": a }', 'backends[0].headers has an invalid header name "X Org"'],
    ['a line break', '{ X-Org: "a\\r\\nX-Evil: 1" }', 'backends[0].headers must not put line breaks in header X-Org'],
  ])('refuses backend headers with %s, naming the field', (_what, headers, message) => {
    const text = minimal.replace('    tier: local\n', `    tier: local\n    headers: ${headers}\n`);
    expect(() => parseConfig(text, {})).toThrow(message);
  });

  it('refuses a rule header condition that is not a string', () => {
    const text = `${minimal}policy:\n  rules:\n    - name: r\n      match: { header: { x-team: [ml] } }\n      action: { tier: local }\n`;
    expect(() => parseConfig(text, {})).toThrow('policy.rules[0].match.header must give header x-team a string value (got ["ml"])');
  });

  it('treats an unset variable as no key, and honours ${VAR:-default}', () => {
    const config = parseConfig(minimal.replace('${OPENAI_API_KEY}', '${OPENAI_API_KEY}').replace('tier: cloud', 'tier: ${TIER:-cloud}'), {});
    expect(config.backends[1].apiKey).toBeUndefined();
    expect(config.backends[1].tier).toBe('cloud');
  });

  it('takes model entries with context windows and prices', () => {
    const config = parseConfig(
      minimal.replace('models: [gpt-4o-mini]', 'models: [{ id: gpt-4o-mini, contextWindow: 128000, price: { input: 0.15, output: 0.6 } }]'),
      {},
    );
    expect(config.backends[1].models[0]).toMatchObject({ id: 'gpt-4o-mini', contextWindow: 128000, price: { input: 0.15, output: 0.6 } });
  });

  it.each([
    ['protocol: ollama', 'protocol: grpc', /backends\[0\]\.protocol must be one of the following values: openai, ollama, anthropic \(got "grpc"\)/],
    ['tier: local', 'tier: edge', /backends\[0\]\.tier must be one of/],
    ['baseUrl: http://127.0.0.1:11434', 'baseUrl: localhost:11434', /backends\[0\]\.baseUrl must be an http\(s\) URL/],
    ['models: [llama3.2]', 'models: []', /backends\[0\]\.models must contain at least 1 elements/],
    [
      '{ backend: openai, model: gpt-4o-mini }',
      '{ backend: nope, model: gpt-4o-mini }',
      /models\[0\]\.targets\[1\]\.backend "nope" is not a configured backend/,
    ],
    ['{ backend: openai, model: gpt-4o-mini }', '{ backend: openai, model: gpt-5 }', /models\[0\]\.targets\[1\]\.model "gpt-5" is not listed/],
    ['    tier: cloud', '    tier: cloud\n    timeouts: { connectMs: -1 }', /backends\[1\]\.timeouts\.connectMs must not be less than 1/],
    [
      '    tier: cloud',
      '    tier: cloud\n    protcol: openai',
      /backends\[1\]\.protcol: property protcol should not exist|backends\[1\]\.protcol property protcol should not exist/,
    ],
    ['name: openai', 'name: local-ollama', /backends\[1\]\.name "local-ollama" is used by another backend/],
  ])('rejects a bad field, naming it (%s -> %s)', (from, to, message) => {
    expect(() => parseConfig(minimal.replace(from, to), {}, 'switchyard.yaml')).toThrow(message);
  });

  it('names the file in every message', () => {
    expect(() => parseConfig('backends: 3', {}, 'conf.yaml')).toThrow(/^conf\.yaml: /);
  });

  it.each([['not: [valid'], ['- a list'], ['']])('rejects a document that is not a mapping: %j', (text) => {
    expect(() => parseConfig(text, {}, 'x.yaml')).toThrow(ConfigError);
  });
});
