import { leaveOutKeylessCloudBackends } from './config.keyless';
import { parseConfig } from './config.loader';

const CONFIG = `
backends:
  - { name: local, protocol: ollama, baseUrl: "http://127.0.0.1:11434", tier: local, models: [llama3.2] }
  - { name: keyed, protocol: openai, baseUrl: "https://api.openai.com/v1", apiKey: "\${OPENAI_API_KEY}", tier: cloud, models: [gpt-4o-mini] }
  - { name: keyless, protocol: anthropic, baseUrl: "https://api.anthropic.com", apiKey: "\${ANTHROPIC_API_KEY}", tier: cloud, models: [claude] }
  - { name: header-keyed, protocol: openai, baseUrl: "https://azure.example.com/v1", headers: { api-key: azure-key-123456 }, tier: cloud, models: [gpt-az] }
  - { name: byok, protocol: openai, baseUrl: "https://groq.example.com/v1", tier: cloud, allowClientKey: true, models: [llama-70b] }
models:
  - name: chat
    targets: [{ backend: local, model: llama3.2 }, { backend: keyless, model: claude }, { backend: keyed, model: gpt-4o-mini }]
  - name: claude-only
    targets: [{ backend: keyless, model: claude }]
`;

describe('leaveOutKeylessCloudBackends', () => {
  it('leaves out cloud backends with no credential, their targets and the models left empty, and says so once', () => {
    const warnings: [object, string][] = [];
    const config = leaveOutKeylessCloudBackends(parseConfig(CONFIG, { OPENAI_API_KEY: 'sk-live-1234567890' }), {
      warn: (obj, msg) => warnings.push([obj, msg]),
    });
    expect(config.backends.map((b) => b.name)).toEqual(['local', 'keyed', 'header-keyed', 'byok']);
    expect(config.models).toEqual([{ name: 'chat', targets: [expect.objectContaining({ backend: 'local' }), expect.objectContaining({ backend: 'keyed' })] }]);
    expect(warnings).toEqual([
      [
        { backends: ['keyless'], models: ['claude-only'] },
        'left out cloud backend keyless: no API key (apiKey is empty; set it, or allowClientKey: true to keep it); models with no target left: claude-only',
      ],
    ]);
  });

  it('returns the config itself, and says nothing, when every cloud backend has a key', () => {
    const warn = jest.fn();
    const parsed = parseConfig(CONFIG, { OPENAI_API_KEY: 'sk-live-1234567890', ANTHROPIC_API_KEY: 'sk-ant-1234567890' });
    expect(leaveOutKeylessCloudBackends(parsed, { warn })).toBe(parsed);
    expect(warn).not.toHaveBeenCalled();
  });

  it('rejects a non-boolean allowClientKey, naming the field', () => {
    expect(() => parseConfig(CONFIG.replace('allowClientKey: true', 'allowClientKey: maybe'), {})).toThrow(
      /backends\[4\]\.allowClientKey must be a boolean value/,
    );
  });
});
