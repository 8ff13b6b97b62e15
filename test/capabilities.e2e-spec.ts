import OpenAI from 'openai';
import { ADMIN_KEY, inferenceCalls, postJson, readSseData, startStack, type Stack } from './support/stack';

// Requests that need what a protocol cannot do (n > 1, logprobs, ...) skip the targets that cannot.

const ask = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'chat', messages: [{ role: 'user', content }], ...extra });

describe.each(['embedded', 'remote'] as const)('capability-aware chains (%s)', (mode) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      mode,
      backends: [
        { name: 'local-ollama', protocol: 'ollama', models: ['llama3.2'] },
        { name: 'local-vllm', protocol: 'openai', models: ['llama3.2'] },
        { name: 'lax', protocol: 'openai', models: ['lax-model'], fake: { singleChoice: true } },
      ],
      models: [
        {
          name: 'chat',
          targets: [
            { backend: 'local-ollama', model: 'llama3.2' },
            { backend: 'local-vllm', model: 'llama3.2' },
          ],
        },
        { name: 'ollama-only', targets: [{ backend: 'local-ollama', model: 'llama3.2' }] },
        {
          name: 'embed',
          targets: [
            { backend: 'local-ollama', model: 'llama3.2' },
            { backend: 'local-vllm', model: 'llama3.2' },
          ],
        },
      ],
    });
  });
  afterAll(() => stack.close());

  it('moves n: 2 past the Ollama target to one that can, before any call', async () => {
    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: ADMIN_KEY, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'chat', n: 2, messages: [{ role: 'user', content: 'two please' }] })
      .withResponse();
    expect(response.headers.get('x-switchyard-backend')).toBe('local-vllm');
    expect(data.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(inferenceCalls(stack.fakes['local-ollama'])).toHaveLength(0);

    // A plain request still goes to Ollama first.
    const plain = await postJson(stack, ask('one'));
    expect(plain.headers.get('x-switchyard-backend')).toBe('local-ollama');
    await plain.json();
  });

  it('says why in /v1/route/explain', async () => {
    const res = await postJson(stack, ask('x', { n: 2 }), {}, '/route/explain');
    const body = (await res.json()) as { candidates: { backend: string }[]; dropped: { backend: string; reason: string }[] };
    expect(body.candidates.map((c) => c.backend)).toEqual(['local-vllm']);
    expect(body.dropped).toEqual([expect.objectContaining({ backend: 'local-ollama', reason: 'cannot serve n=2 (ollama protocol)' })]);
  });

  it.each([
    [{ n: 3 }, 'n'],
    [{ logprobs: true }, 'logprobs'],
    [{ top_logprobs: 2, logprobs: true }, 'logprobs'],
  ])('answers 400 only when no candidate can serve it (%j)', async (extra, param) => {
    const res = await postJson(stack, { ...ask('x', extra), model: 'ollama-only' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; param: string; code: string; message: string } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param, code: 'unsupported_parameter' });
    expect(body.error.message).toContain('local-ollama: cannot serve');
  });

  it('moves embeddings given as token ids past the Ollama target, which takes text only', async () => {
    const res = await postJson(stack, { model: 'embed', input: [101, 2023, 102] }, {}, '/embeddings');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-backend')).toBe('local-vllm');
    await res.json();
    const text = await postJson(stack, { model: 'embed', input: 'plain text' }, {}, '/embeddings');
    expect(text.headers.get('x-switchyard-backend')).toBe('local-ollama');
    await text.json();
  });

  it('does not pass off an OpenAI-protocol answer with fewer choices than n asked', async () => {
    const res = await postJson(stack, { model: 'lax-model', n: 2, messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain('answered 1 of the 2 choices asked');

    // Streamed, it can only end with an error event instead of a clean end.
    const streamed = await postJson(stack, { model: 'lax-model', n: 2, stream: true, messages: [{ role: 'user', content: 'x' }] });
    const data = await readSseData(streamed);
    expect(data[data.length - 1]).toBe('[DONE]');
    expect(JSON.parse(data[data.length - 2])).toMatchObject({ error: { message: expect.stringContaining('answered 1 of the 2 choices asked') } });
  });

  it('streams n choices from a backend that gives them, with no error', async () => {
    const res = await postJson(stack, ask('two streamed', { n: 2, stream: true }));
    expect(res.headers.get('x-switchyard-backend')).toBe('local-vllm');
    const data = await readSseData(res);
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as { error?: unknown; choices: { index: number }[] });
    expect(chunks.some((c) => c.error !== undefined)).toBe(false);
    expect(new Set(chunks.flatMap((c) => c.choices.map((x) => x.index)))).toEqual(new Set([0, 1]));
  });
});
