import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAISchemaChecker } from './openai-spec';

// The suites validate against OpenAI's spec when there is one, and a fresh clone (no ../shared) still runs them.
describe('openAISchemaChecker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-openai-spec-'));
  afterEach(() => jest.restoreAllMocks());

  it('validates against the spec when it is there', () => {
    const path = join(dir, 'spec.json');
    const spec = {
      components: {
        schemas: { Model: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, note: { type: 'string', nullable: true } } } },
      },
    };
    writeFileSync(path, JSON.stringify(spec));
    const checker = openAISchemaChecker(path);
    expect(() => checker.assert('Model', { id: 'chat', note: null })).not.toThrow();
    expect(() => checker.assert('Model', { id: 42 })).toThrow(/Model does not validate/);
    expect(() => checker.assert('Nope', {})).toThrow(/no schema Nope/);
  });

  it('without the spec, says so once, loudly, naming where it looked, and checks nothing', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const path = join(dir, 'absent', 'openai-openapi.json');
    const checker = openAISchemaChecker(path);
    expect(() => checker.assert('Model', { id: 42 })).not.toThrow();
    expect(() => checker.assert('CreateChatCompletionResponse', {})).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain(path);
    expect(warn.mock.calls[0][0]).toContain('NOT validated');
  });
});
