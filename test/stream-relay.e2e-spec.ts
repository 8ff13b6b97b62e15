import OpenAI from 'openai';
import type { Fault } from '@switchyard/fake-llm';
import { ADMIN_KEY, postJson, readSseData, startStack, type Stack } from './support/stack';

// An OpenAI-compatible backend's stream goes to an OpenAI client as the backend's own events, one
// write per upstream read, parsed only where usage, an error or no choices may be. These are the
// edges of that relay: events cut across reads, usage only at the end, an error mid-stream, a
// client that leaves, and what comes after [DONE].

const user = { role: 'user' as const, content: 'hello' };
const sse = { 'content-type': 'text/event-stream' };
const chunkOf = (content: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm1',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
    ...extra,
  });
const usage = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 };
const usageChunk = JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm1', choices: [], usage });

describe('the raw stream relay', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      backends: [
        { name: 'relay', protocol: 'openai', models: ['m1'], limits: { streamEventBytes: 64 * 1024 } },
        { name: 'paced', protocol: 'openai', models: ['m2'], fake: { interChunkMs: 50, reply: Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ') } },
      ],
      models: [],
      policy: { breaker: { minRequests: 1000 }, health: { intervalMs: 600_000 } },
    });
  });
  afterAll(() => stack.close());
  afterEach(() => Object.values(stack.fakes).forEach((f) => f.setFault(undefined)));

  const fault = (f: Omit<Fault, 'mode'>): void => stack.fakes.relay.setFault({ mode: 'raw', headers: sse, ...f });

  it('puts together an event cut across reads, even at its blank line', async () => {
    const one = `data: ${chunkOf('Hel', { usage: null })}\n\n`;
    const two = `data: ${chunkOf('lo', { usage: null })}\n\n`;
    fault({
      parts: [one.slice(0, 20), one.slice(20, one.length - 1), one.slice(one.length - 1) + two.slice(0, 30), two.slice(30), 'data: [DO', 'NE]\n', '\n'],
    });
    const res = await postJson(stack, { model: 'm1', stream: true, messages: [user] });
    expect(res.status).toBe(200);
    const data = await readSseData(res);
    expect(data).toHaveLength(3);
    expect(data.slice(0, 2).map((d) => JSON.parse(d) as unknown)).toEqual([JSON.parse(chunkOf('Hel')), JSON.parse(chunkOf('lo'))]);
    expect(data[2]).toBe('[DONE]');
  });

  it('takes `"usage":null` and the usage chunk out for a client that did not ask for usage', async () => {
    fault({ body: `data: ${chunkOf('Hi', { usage: null })}\n\ndata: ${usageChunk}\n\ndata: [DONE]\n\n` });
    const text = await (await postJson(stack, { model: 'm1', stream: true, messages: [user] })).text();
    expect(text).toBe(`data: ${chunkOf('Hi')}\n\ndata: [DONE]\n\n`);
  });

  it('gives usage, as it came in the last event, to a client that asked (the OpenAI SDK)', async () => {
    fault({ parts: [`data: ${chunkOf('Hi', { usage: null })}\n\n`, `data: ${usageChunk}\n\ndata: [DONE]\n\n`] });
    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: ADMIN_KEY, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'm1', stream: true, stream_options: { include_usage: true }, messages: [user] });
    const got: { content?: string | null; usage?: unknown }[] = [];
    for await (const c of stream) got.push({ content: c.choices[0]?.delta.content, usage: c.usage });
    expect(got).toEqual([
      { content: 'Hi', usage: null },
      { content: undefined, usage },
    ]);
  });

  it('strips usage from a content chunk that carries it, for a client that did not ask', async () => {
    fault({ body: `data: ${chunkOf('Hi', { usage })}\n\ndata: [DONE]\n\n` });
    const data = await readSseData(await postJson(stack, { model: 'm1', stream: true, messages: [user] }));
    expect(data.map((d) => (d === '[DONE]' ? d : (JSON.parse(d) as unknown)))).toEqual([JSON.parse(chunkOf('Hi')), '[DONE]']);
  });

  it('ends with an error event in OpenAI dialect when the backend sends one mid-stream', async () => {
    fault({
      parts: [
        `data: ${chunkOf('Hel')}\n\n`,
        `data: ${chunkOf('lo')}\n\ndata: {"error":{"message":"overloaded","type":"server_error"}}\n\ndata: ${chunkOf('never')}\n\n`,
      ],
    });
    const data = await readSseData(await postJson(stack, { model: 'm1', stream: true, messages: [user] }));
    expect(data).toHaveLength(4);
    expect(data.slice(0, 2).map((d) => (JSON.parse(d) as { choices: { delta: { content: string } }[] }).choices[0].delta.content)).toEqual(['Hel', 'lo']);
    expect(JSON.parse(data[2])).toMatchObject({ error: { message: 'Backend relay failed mid-stream.', type: 'server_error' } });
    expect(data[3]).toBe('[DONE]');
  });

  it('fails over an event that is not JSON, after what came before it', async () => {
    fault({ body: `data: ${chunkOf('Hel')}\n\ndata: {"choices":[oops\n\ndata: [DONE]\n\n` });
    const data = await readSseData(await postJson(stack, { model: 'm1', stream: true, messages: [user] }));
    expect(JSON.parse(data[0])).toMatchObject({ choices: [{ delta: { content: 'Hel' } }] });
    expect(JSON.parse(data[1])).toMatchObject({ error: { message: 'Backend relay sent a stream event that is not JSON.' } });
    expect(data[2]).toBe('[DONE]');
  });

  it('ends at the first [DONE]: nothing after it reaches the client, and [DONE] is sent once', async () => {
    fault({ body: `data: ${chunkOf('Hi')}\n\ndata: [DONE]\n\ndata: ${chunkOf('late')}\n\ndata: [DONE]\n\n` });
    const text = await (await postJson(stack, { model: 'm1', stream: true, messages: [user] })).text();
    expect(text).toBe(`data: ${chunkOf('Hi')}\n\ndata: [DONE]\n\n`);
  });

  it('relays CRLF lines, comments and named events in the plain `data:` form', async () => {
    fault({ body: `: keep-alive\r\n\r\nevent: delta\r\ndata: ${chunkOf('Hi')}\r\n\r\ndata: [DONE]\r\n\r\n` });
    const text = await (await postJson(stack, { model: 'm1', stream: true, messages: [user] })).text();
    expect(text).toBe(`data: ${chunkOf('Hi')}\n\ndata: [DONE]\n\n`);
  });

  it('keeps a long event of multi-byte text whole', async () => {
    const content = 'héllo ✓ 日本語 🙂'.repeat(200);
    fault({ body: `data: ${chunkOf(content, { usage: null })}\n\n`, parts: ['data: [DONE]\n\n'] });
    const data = await readSseData(await postJson(stack, { model: 'm1', stream: true, messages: [user] }));
    expect((JSON.parse(data[0]) as { choices: { delta: { content: string } }[] }).choices[0].delta.content).toBe(content);
  });

  it('stops the upstream call when the client leaves mid-stream', async () => {
    const res = await postJson(stack, { model: 'm2', stream: true, messages: [user] });
    expect(res.status).toBe(200);
    const aborted = stack.fakes.paced.waitForAbort(5_000);
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await aborted;
  });

  it('relays a whole paced stream chunk by chunk, as they come', async () => {
    const started = performance.now();
    const res = await postJson(stack, { model: 'm2', stream: true, messages: [user] });
    const reader = res.body!.getReader();
    const arrivals: number[] = [];
    let text = '';
    const decoder = new TextDecoder();
    for (let i = 0; i < 200; i++) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push(performance.now() - started);
      text += decoder.decode(value, { stream: true });
    }
    const data = text
      .split('\n\n')
      .filter((e) => e.startsWith('data: '))
      .map((e) => e.slice(6));
    const words = data
      .filter((d) => d !== '[DONE]')
      .map((d) => (JSON.parse(d) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
      .join('');
    expect(words.trim()).toBe(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '));
    expect(data.at(-1)).toBe('[DONE]');
    // Not buffered: the chunks arrived spread over the backend's pacing, in many reads.
    expect(arrivals.length).toBeGreaterThan(20);
    expect(arrivals.at(-1)! - arrivals[0]).toBeGreaterThan(1000);
  });
});
