import type { FastifyRequest } from 'fastify';
import type { ChatCompletionRequest, EmbeddingsRequest } from '@switchyard/contracts';
import { chatPromptView, embeddingsPromptView } from '../openai/openai.prompt';
import { requestFeatures } from './features';

const chatFeatures = (r: FastifyRequest, body: ChatCompletionRequest, pii: string[], names: string[]) => requestFeatures(r, chatPromptView(body), pii, names);
const embeddingsFeatures = (r: FastifyRequest, body: EmbeddingsRequest, pii: string[], names: string[]) =>
  requestFeatures(r, embeddingsPromptView(body), pii, names);

const req = (headers: Record<string, string | string[]>): FastifyRequest => ({ headers }) as unknown as FastifyRequest;

describe('request features', () => {
  const headers = {
    authorization: 'Bearer sy-secret-key-123456',
    'x-api-key': 'sy-secret-key-123456',
    'x-team': 'ml',
    'x-switchyard-tags': 'a, b',
    'x-switchyard-max-latency-ms': '1500',
    cookie: 'session=1',
  };

  it('carries only the headers rules look at: credentials never leave the gateway', () => {
    const f = chatFeatures(req(headers), { model: 'chat', messages: [{ role: 'user', content: 'hello world' }] }, [], ['x-team']);
    expect(f.headers).toEqual({ 'x-team': 'ml' });
    expect(JSON.stringify(f)).not.toContain('sy-secret');
  });

  it("gives rules the tenant's name (its id when it has none) and the tenant's privacy stance", () => {
    const body: ChatCompletionRequest = { model: 'chat', messages: [{ role: 'user', content: 'hi' }] };
    const as = (principal: object) => Object.assign(req({}), { principal });
    const named = chatFeatures(
      as({ tenantId: 'tnt_1', tenantName: 'acme', keyId: 'k', scopes: [], grants: { onPii: 'local-only', limits: {}, budgets: {} } }),
      body,
      [],
      [],
    );
    expect(named).toMatchObject({ tenant: 'acme', keyId: 'k', onPii: 'local-only' });
    const admin = chatFeatures(as({ tenantId: 'admin', keyId: 'admin', scopes: [] }), body, [], []);
    expect(admin.tenant).toBe('admin');
    expect('onPii' in admin).toBe(false);
  });

  it('reads tags, the latency budget, max tokens and an estimate of prompt tokens', () => {
    const f = chatFeatures(
      req(headers),
      { model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(400) }], max_tokens: 50, metadata: { tags: ['c'] }, stream: true },
      ['email'],
      [],
    );
    expect(f).toMatchObject({ model: 'chat', tags: ['a', 'b', 'c'], maxLatencyMs: 1500, maxTokens: 50, stream: true, pii: ['email'], promptTokens: 104 });
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['nothing beyond text', {}, {}],
    ['n: 1 is no need', { n: 1 }, {}],
    ['n: 3', { n: 3 }, { n: 3 }],
    ['tools', { tools: [{ type: 'function', function: { name: 'f' } }] }, { tools: true }],
    ['tools the model may not call', { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'none' }, {}],
    ['JSON mode', { response_format: { type: 'json_object' } }, { jsonMode: true }],
    ['a JSON schema', { response_format: { type: 'json_schema', json_schema: { name: 's' } } }, { jsonMode: true }],
    ['plain text format', { response_format: { type: 'text' } }, {}],
    ['logprobs', { logprobs: true }, { logprobs: true }],
    ['top_logprobs', { top_logprobs: 2 }, { logprobs: true }],
    [
      'an image part',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is this' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } },
            ],
          },
        ],
      },
      { images: true },
    ],
  ])('reads what the request needs of a backend: %s', (_what, extra, needs) => {
    const f = chatFeatures(req({}), { model: 'chat', messages: [{ role: 'user', content: 'x' }], ...extra }, [], []);
    const got = Object.fromEntries(['n', 'tools', 'jsonMode', 'images', 'logprobs'].filter((k) => k in f).map((k) => [k, f[k as keyof typeof f]]));
    expect(got).toEqual(needs);
  });

  it.each<[string, EmbeddingsRequest['input'], Record<string, unknown>]>([
    ['text', ['a', 'b'], { embeddings: true }],
    ['token ids', [1, 2, 3], { embeddings: true, tokenInput: true }],
    ['token-id arrays', [[1, 2], [3]], { embeddings: true, tokenInput: true }],
  ])('marks an embeddings request and token-id input: %s', (_what, input, needs) => {
    const f = embeddingsFeatures(req({}), { model: 'e', input }, [], []);
    expect({ embeddings: f.embeddings, tokenInput: f.tokenInput }).toEqual({ tokenInput: undefined, ...needs });
  });

  it.each([['0'], ['-5'], ['soon']])('ignores a latency budget of %j', (value) => {
    expect(embeddingsFeatures(req({ 'x-switchyard-max-latency-ms': value }), { model: 'e', input: 'abcd' }, [], []).maxLatencyMs).toBeUndefined();
  });
});
