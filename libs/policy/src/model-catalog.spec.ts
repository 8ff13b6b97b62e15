import { parseConfig } from '@switchyard/contracts';
import { ModelCatalog } from './model-catalog';

const config = parseConfig(`
backends:
  - { name: local-ollama, protocol: ollama, baseUrl: "http://127.0.0.1:11434", tier: local, models: [llama3.2, shared] }
  - { name: vllm, protocol: openai, baseUrl: "http://127.0.0.1:8000/v1", tier: local, models: [qwen, shared] }
  - { name: openai, protocol: openai, baseUrl: "https://api.openai.com/v1", tier: cloud, models: [gpt-4o-mini, chat] }
models:
  - name: chat
    targets:
      - { backend: local-ollama, model: llama3.2 }
      - { backend: openai, model: gpt-4o-mini }
`);

describe('ModelCatalog', () => {
  const catalog = new ModelCatalog(config);

  it.each([
    ['chat', 'model:chat', ['local-ollama/llama3.2', 'openai/gpt-4o-mini']],
    ['llama3.2', 'direct', ['local-ollama/llama3.2']],
    ['gpt-4o-mini', 'direct', ['openai/gpt-4o-mini']],
    ['shared', 'direct', ['local-ollama/shared', 'vllm/shared']],
  ])('%s resolves to %s with chain %j', (model, route, chain) => {
    const decision = catalog.resolve(model);
    expect(decision?.route).toBe(route);
    expect(decision?.targets.map((c) => `${c.backend}/${c.model}`)).toEqual(chain);
  });

  it('carries each candidate tier', () => {
    expect(catalog.resolve('chat')?.targets.map((c) => c.tier)).toEqual(['local', 'cloud']);
  });

  it('knows nothing of unlisted models', () => {
    expect(catalog.resolve('gpt-5')).toBeUndefined();
  });

  it('lists each model id once, public names first', () => {
    expect(catalog.entries.map((e) => e.id)).toEqual(['chat', 'llama3.2', 'shared', 'qwen', 'gpt-4o-mini']);
    expect(catalog.entries[0].ownedBy).toBe('switchyard');
  });
});
