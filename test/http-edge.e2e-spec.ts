import SwaggerParser from '@apidevtools/swagger-parser';
import { ADMIN_KEY, startStack, type Stack } from './support/stack';

// What sits around the API: bad input, request ids, health, and the OpenAPI document.

describe('the HTTP edge', () => {
  let stack: Stack;
  const auth = { authorization: `Bearer ${ADMIN_KEY}` };
  const json = { ...auth, 'content-type': 'application/json' };

  beforeAll(async () => {
    stack = await startStack({
      backends: [{ name: 'local', protocol: 'openai', models: ['m1'] }],
      models: [{ name: 'chat', targets: [{ backend: 'local', model: 'm1' }] }],
      server: { bodyLimitBytes: 64 * 1024 },
    });
  });
  afterAll(() => stack.close());

  const post = (body: string, headers: Record<string, string> = json) => fetch(`${stack.baseURL}/chat/completions`, { method: 'POST', headers, body });

  it.each([
    ['malformed JSON', '{"model":', json, 400],
    ['an empty body', '', json, 400],
    ['a JSON array', '[1,2]', json, 400],
    ['a body over the limit', JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] }), json, 413],
    ['a text/plain body', 'model=chat', { ...auth, 'content-type': 'text/plain' }, 415],
    ['a form body', 'model=chat', { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, 415],
  ])('answers %s with a clear 4xx in OpenAI shape, never a 500', async (_what, body, headers, status) => {
    const res = await post(body, headers);
    expect(res.status).toBe(status);
    const err = (await res.json()) as { error: { message: string; type: string } };
    expect(err.error.type).toBe('invalid_request_error');
    expect(err.error.message).not.toMatch(/at .*\.js:\d+/);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'answers a body of type %s with a 415 saying JSON is expected',
    async (type) => {
      const res = await post('model=chat', { ...auth, 'content-type': type });
      expect(res.status).toBe(415);
      const err = (await res.json()) as { error: { message: string; type: string } };
      expect(err.error.message).toContain("'Content-Type: application/json'");
    },
  );

  it.each([
    [{ messages: [{ role: 'user', content: 'x' }] }, 'model'],
    [{ model: '', messages: [{ role: 'user', content: 'x' }] }, 'model'],
    [{ model: 'chat' }, 'messages'],
    [{ model: 'chat', messages: [] }, 'messages'],
    [{ model: 'chat', messages: 'hello' }, 'messages'],
    [{ model: 'chat', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
    [{ model: 'chat', messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
    [{ model: 'chat', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }, 'temperature'],
    [{ model: 'chat', messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }, 'max_tokens'],
    [{ model: 'chat', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'stream'],
    [{ model: 'chat', messages: [{ role: 'user', content: 'x' }], stop: [1] }, 'stop'],
    [{ model: 'chat', messages: [{ role: 'user', content: 'x' }], n: 0 }, 'n'],
  ])('rejects %j naming param %s', async (body, param) => {
    const res = await post(JSON.stringify(body));
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { param: string; message: string } };
    expect(err.error.param).toBe(param);
    expect(err.error.message).toContain(param);
  });

  it('validates embeddings input', async () => {
    const res = await fetch(`${stack.baseURL}/embeddings`, { method: 'POST', headers: json, body: JSON.stringify({ model: 'm1', input: [] }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe('input');
  });

  it('forwards fields it does not interpret to an OpenAI-protocol backend untouched', async () => {
    const extra = {
      seed: 7,
      logprobs: true,
      top_logprobs: 2,
      n: 1,
      user: 'u-1',
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
      some_future_field: { nested: [1, 2] },
    };
    const res = await post(
      JSON.stringify({
        model: 'chat',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'hi' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            ],
          },
        ],
        ...extra,
      }),
    );
    expect(res.status).toBe(200);
    const seen = stack.fakes.local.requests.filter((r) => r.path.endsWith('/chat/completions')).pop()!.body as Record<string, unknown>;
    expect(seen).toMatchObject({ ...extra, model: 'm1' });
    expect((seen.messages as { content: unknown[] }[])[0].content).toHaveLength(2);
  });

  describe('request bytes', () => {
    const last = (suffix: string) => stack.fakes.local.requests.filter((r) => r.path.endsWith(suffix)).pop()!;
    const send = async (body: string, path = '/chat/completions') => {
      const res = await fetch(`${stack.baseURL}${path}`, { method: 'POST', headers: json, body });
      expect(res.status).toBe(200);
      await res.text();
      return last(path);
    };

    it.each([
      [
        "a request naming the backend's own model id",
        '{ "messages": [ {"role":"user","content":"x"} ],   "model": "m1", "temperature": 0.5, "some_future_field": [1] }',
      ],
      [
        'a stream that asked for usage itself',
        '{"model":"m1","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}',
      ],
    ])("forwards the client's own bytes when nothing changes: %s", async (_what, body) => {
      expect((await send(body)).text).toBe(body);
    });

    it('accepts a body that starts with a byte-order mark, and sends it on without one', async () => {
      const body = '{"model":"m1","messages":[{"role":"user","content":"x"}]}';
      const seen = await send(`\ufeff${body}`);
      expect(seen.text?.charCodeAt(0)).not.toBe(0xfeff);
      expect(seen.body).toMatchObject({ model: 'm1', messages: [{ role: 'user', content: 'x' }] });
    });

    it("forwards an embeddings body naming the backend's own model id as sent", async () => {
      const body = '{"input": ["a", "b"],  "model": "m1"}';
      expect((await send(body, '/embeddings')).text).toBe(body);
    });

    it.each([
      ["an alias (the backend's id differs)", { model: 'chat', messages: [{ role: 'user', content: 'x' }] }, { model: 'm1' }],
      [
        'a stream that did not ask for usage',
        { model: 'm1', stream: true, messages: [{ role: 'user', content: 'x' }] },
        { stream_options: { include_usage: true } },
      ],
      [
        'stream_options on a non-stream',
        { model: 'm1', stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'x' }] },
        { stream: false },
      ],
      [
        '"model" twice in the text (a nested key)',
        { model: 'm1', messages: [{ role: 'user', content: 'x' }], metadata: { model: 'other' } },
        { model: 'm1', metadata: { model: 'other' } },
      ],
    ])('serialises anew when something changes: %s', async (_what, sent, expected) => {
      const body = JSON.stringify(sent, null, 1);
      const seen = await send(body);
      expect(seen.text).not.toBe(body);
      expect(seen.body).toMatchObject(expected);
    });
  });

  it('never sends the client key upstream, and keeps it out of the logs', async () => {
    await post(JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }));
    const last = stack.fakes.local.requests.filter((r) => r.path.endsWith('/chat/completions')).pop()!;
    expect(JSON.stringify(last.headers)).not.toContain(ADMIN_KEY);
    expect(JSON.stringify(stack.logs())).not.toContain(ADMIN_KEY);
  });

  it('echoes a client x-request-id, and makes one otherwise, on every response', async () => {
    const mine = await fetch(`${stack.baseURL}/models`, { headers: { ...auth, 'x-request-id': 'trace-abc-123' } });
    expect(mine.headers.get('x-request-id')).toBe('trace-abc-123');
    const fresh = await fetch(`${stack.url}/health/live`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const unauthorized = await fetch(`${stack.baseURL}/models`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers unknown /v1 paths with a 404 in OpenAI shape', async () => {
    const res = await fetch(`${stack.baseURL}/nope`, { headers: auth });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unknown_url');
  });

  it('serves liveness without touching backends, readiness with them', async () => {
    const live = await fetch(`${stack.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${stack.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', details: { config: { status: 'up' }, backends: { status: 'up', local: { status: 'up' } } } });
  });

  it('exposes Prometheus metrics for routed requests', async () => {
    await post(JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'count me' }] }));
    const res = await fetch(`${stack.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/switchyard_requests_total\{model="chat",backend="local",tier="local",status="200"\} [1-9]/);
    expect(text).toMatch(/switchyard_upstream_attempts_total\{backend="local",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/switchyard_gateway_overhead_seconds_count\{route="model:chat"\} [1-9]/);
    expect(text).toMatch(/switchyard_process_cpu_seconds_total/);
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await fetch(`${stack.url}/docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger-ui');
  });

  it('serves a valid OpenAPI 3 document describing every /v1 operation', async () => {
    const doc = (await (await fetch(`${stack.url}/openapi.json`)).json()) as Record<string, unknown>;
    await SwaggerParser.validate(structuredClone(doc) as never);
    expect(String(doc.openapi)).toMatch(/^3\./);
    const paths = doc.paths as Record<string, Record<string, { security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> }>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/v1/models', '/v1/models/{model}', '/v1/chat/completions', '/v1/embeddings', '/health/live', '/health/ready']),
    );
    const create = paths['/v1/chat/completions'].post;
    expect(create.security).toEqual(expect.arrayContaining([{ bearer: [] }]));
    expect(Object.keys(create.responses['200'].content ?? {})).toEqual(['application/json', 'text/event-stream']);
    const schemes = (doc.components as { securitySchemes: Record<string, { scheme?: string }> }).securitySchemes;
    expect(schemes.bearer.scheme).toBe('bearer');
  });
});

describe('readiness with no reachable backend', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ backends: [{ name: 'gone', protocol: 'ollama', models: ['m'], down: true }] });
  });
  afterAll(() => stack.close());

  it('answers 503 naming the backend that failed', async () => {
    const res = await fetch(`${stack.url}/health/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { backends: Record<string, { status: string; error?: string }> } };
    expect(body.error.backends.gone).toMatchObject({ status: 'down', error: expect.stringContaining('unreachable') });
  });

  it('logs one warning naming what failed, not an error on every probe', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${stack.url}/health/ready`)).status).toBe(503);
    const logs = stack.logs();
    expect(logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    const warnings = logs.filter((l) => l.level === 40 && l.component === 'health');
    expect(warnings).toEqual([
      expect.objectContaining({
        failed: ['backends', 'backends.gone'],
        msg: expect.stringMatching(/^not ready: backends \(no backend is reachable; gone: .*unreachable/),
      }),
    ]);
  });
});

describe('readiness going down and coming back', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ backends: [{ name: 'local', protocol: 'ollama', models: ['m'] }] });
  });
  afterAll(() => stack.close());

  const probe = async () => (await fetch(`${stack.url}/health/ready`)).status;
  const healthLogs = () => stack.logs().filter((l) => l.component === 'health' || (l.level as number) >= 50);

  it('logs each transition once: a warning when it goes down, a note when it is back', async () => {
    expect(await probe()).toBe(200);
    stack.fakes.local.setFault({ mode: 'error', status: 500 });
    expect([await probe(), await probe()]).toEqual([503, 503]);
    stack.fakes.local.setFault(undefined);
    expect([await probe(), await probe()]).toEqual([200, 200]);
    expect(healthLogs().map((l) => [l.level, l.msg])).toEqual([
      [40, expect.stringMatching(/^not ready: backends \(no backend is reachable; local: .*500/)],
      [30, 'ready again'],
    ]);
  });
});
