import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Fault } from '@switchyard/fake-llm';
import { postJson, readSseData, startStack, type Stack } from './support/stack';

// Backends that answer wrongly: broken streams, bodies of the wrong shape, answers too large to
// buffer, redirects and error pages. Each is a clean 502 (or a fallback), never a 200 that hides
// it and never the backend's own text in the client's error.

type OpenAIErrorBody = { error: { message: string; type: string; code: string | null } };

const user = { role: 'user', content: 'hello' };
const chunk = JSON.stringify({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm1',
  choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }],
});
const sse = { 'content-type': 'text/event-stream' };

describe('an OpenAI-protocol backend that answers wrongly', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      backends: [
        { name: 'flaky', protocol: 'openai', models: ['m1'], limits: { responseBytes: 1 << 20, streamEventBytes: 64 * 1024 } },
        { name: 'spare', protocol: 'ollama', models: ['llama3.2'] },
        { name: 'slow-lines', protocol: 'ollama', models: ['m3'], limits: { streamEventBytes: 64 * 1024 } },
      ],
      models: [
        {
          name: 'chat',
          targets: [
            { backend: 'flaky', model: 'm1' },
            { backend: 'spare', model: 'llama3.2' },
          ],
        },
      ],
      // Neither breakers nor probes may step in: each case must be decided by the answer itself.
      policy: { breaker: { minRequests: 1000 }, health: { intervalMs: 600_000 } },
    });
  });
  afterAll(() => stack.close());
  afterEach(() => Object.values(stack.fakes).forEach((f) => f.setFault(undefined)));

  const fault = (f: Omit<Fault, 'mode'>, backend = 'flaky'): void => stack.fakes[backend].setFault({ mode: 'raw', ...f });

  const brokenStreams: [string, Omit<Fault, 'mode'>][] = [
    ['an empty body', { headers: sse }],
    ['an HTML page', { headers: { 'content-type': 'text/html' }, body: '<html><body>Bad gateway</body></html>' }],
    ['JSON where a stream was expected', { headers: { 'content-type': 'application/json' }, body: '{"choices":[]}' }],
    ['a close in the middle of an event', { headers: sse, body: 'data: {"id":"c1","cho' }],
    ['corrupt gzip', { headers: { ...sse, 'content-encoding': 'gzip' }, body: '\u001f\u008b\u0008garbage' }],
    ['a close without [DONE]', { headers: sse, body: ': keep-alive\n\n' }],
  ];

  it.each(brokenStreams)('%s before the first chunk falls back to the next target', async (_what, f) => {
    fault(f);
    const res = await postJson(stack, { model: 'chat', stream: true, messages: [user] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-backend')).toBe('spare');
    const data = await readSseData(res);
    expect(data[data.length - 1]).toBe('[DONE]');
    expect(data.some((d) => d.includes('"error"'))).toBe(false);
  });

  it.each(brokenStreams)('%s with nowhere to fall back is a 502', async (_what, f) => {
    fault(f);
    const res = await postJson(stack, { model: 'm1', stream: true, messages: [user] });
    expect(res.status).toBe(502);
    const err = (await res.json()) as OpenAIErrorBody;
    expect(err.error.type).toBe('server_error');
    expect(err.error.message).toMatch(/^Backend flaky /);
  });

  it('a stream cut off after its first chunk ends with an error event', async () => {
    fault({ headers: sse, body: `data: ${chunk}\n\n` });
    const res = await postJson(stack, { model: 'chat', stream: true, messages: [user] });
    expect(res.status).toBe(200);
    const data = await readSseData(res);
    expect(JSON.parse(data[0])).toMatchObject({ choices: [{ delta: { content: 'Hel' } }] });
    expect(JSON.parse(data[data.length - 2])).toMatchObject({ error: { message: 'Backend flaky ended the stream before [DONE].' } });
    expect(data[data.length - 1]).toBe('[DONE]');
  });

  it.each([
    ['null', 'null'],
    ['an array', '[1,2,3]'],
    ['choices that are not a list', '{"choices":"nope"}'],
  ])('a non-streaming body of %s is a 502, and the chain falls back', async (_what, body) => {
    fault({ headers: { 'content-type': 'application/json' }, body });
    const direct = await postJson(stack, { model: 'm1', messages: [user] });
    expect(direct.status).toBe(502);
    expect(((await direct.json()) as OpenAIErrorBody).error.message).toBe('Backend flaky returned a body that is not a chat completion.');
    const chained = await postJson(stack, { model: 'chat', messages: [user] });
    expect(chained.status).toBe(200);
    expect(chained.headers.get('x-switchyard-backend')).toBe('spare');
  });

  it('an answer over limits.responseBytes is dropped unread with a 502', async () => {
    fault({ headers: { 'content-type': 'application/json' }, body: '{"choices":[{"message":{"content":"', padBytes: 5 << 20, bodyEnd: '"}}]}' });
    const res = await postJson(stack, { model: 'm1', messages: [user] });
    expect(res.status).toBe(502);
    expect(((await res.json()) as OpenAIErrorBody).error.message).toBe(
      'Backend flaky sent an answer larger than the gateway accepts (1048576 bytes, limits.responseBytes).',
    );
    // The gateway hung up instead of reading 5 MiB.
    await stack.fakes.flaky.waitForAbort(5_000);
  });

  it('a stream event that never ends is cut at limits.streamEventBytes', async () => {
    fault({ headers: sse, body: 'data: {"choices":"', padBytes: 5 << 20 });
    const res = await postJson(stack, { model: 'm1', stream: true, messages: [user] });
    expect(res.status).toBe(502);
    expect(((await res.json()) as OpenAIErrorBody).error.message).toContain('limits.streamEventBytes');
    await stack.fakes.flaky.waitForAbort(5_000);
  });

  it('an NDJSON line that never ends is cut at limits.streamEventBytes, without stalling the gateway', async () => {
    fault({ headers: { 'content-type': 'application/x-ndjson' }, body: '{"model":"', padBytes: 5 << 20 }, 'slow-lines');
    const started = performance.now();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const res = await postJson(stack, { model: 'm3', stream: true, messages: [user] });
    loop.disable();
    expect(res.status).toBe(502);
    // No chunk held the event loop: its longest stall stays far below a second.
    expect(loop.max / 1e6).toBeLessThan(250);
    expect(((await res.json()) as OpenAIErrorBody).error.message).toBe(
      'Backend slow-lines sent a stream line larger than the gateway accepts (65536 bytes, limits.streamEventBytes).',
    );
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('a redirect is a 502 that names the likely cause, and the chain falls back', async () => {
    fault({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } });
    const direct = await postJson(stack, { model: 'm1', messages: [user] });
    expect(direct.status).toBe(502);
    expect(((await direct.json()) as OpenAIErrorBody).error.message).toBe('Backend flaky answered with a redirect (302); check its baseUrl.');
    const chained = await postJson(stack, { model: 'chat', messages: [user] });
    expect(chained.headers.get('x-switchyard-backend')).toBe('spare');
  });

  it.each([
    ['an HTML error page', { 'content-type': 'text/html' }, '<html><h1>502 Bad Gateway</h1><pre>nginx internal</pre></html>', 'nginx internal'],
    ['a stack trace', { 'content-type': 'text/plain' }, 'Traceback (most recent call last):\n  File "/srv/app.py", line 3\nKeyError: x', 'Traceback'],
    [
      'a JSON error carrying a trace',
      { 'content-type': 'application/json' },
      JSON.stringify({ error: { message: "TypeError: Cannot read properties of null (reading 'x')\n    at /srv/a.js:1:1" } }),
      'Cannot read properties of null',
    ],
  ])('%s from a failing backend stays in the log', async (_what, headers, body, inLog) => {
    fault({ status: 500, headers, body });
    const res = await postJson(stack, { model: 'm1', messages: [user] });
    expect(res.status).toBe(502);
    const err = (await res.json()) as OpenAIErrorBody;
    expect(err.error.message).toBe('Backend flaky answered 500.');
    const requestId = res.headers.get('x-request-id');
    const logged = stack.logs().find((l) => l.requestId === requestId && l.backend === 'flaky' && l.outcome === 'error');
    expect(String(logged?.detail)).toContain(inLog);
  });
});
