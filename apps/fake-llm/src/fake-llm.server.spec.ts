import { startFakeLlm, type FakeLlm, type FakeProtocol } from './fake-llm.server';
import { type Frame, FrameReader, parseSse, asJson, sleep, post, get, chatBody, CHAT_PATH, MODELS_PATH, ANTHROPIC_HEADERS } from './fake-llm.client.mock';

// The core through the public API: faults, control API, aborts and lifecycle, for every protocol.

describe.each<FakeProtocol>(['openai', 'ollama', 'anthropic'])('%s faults and control', (protocol) => {
  let fake: FakeLlm;
  const headers = protocol === 'anthropic' ? ANTHROPIC_HEADERS : {};
  const chat = (extra: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Response> =>
    post(fake, CHAT_PATH[protocol], chatBody(protocol, extra), headers, signal);
  const sep = protocol === 'ollama' ? '\n' : '\n\n';

  beforeAll(async () => {
    fake = await startFakeLlm({ protocol, reply: 'alpha beta gamma delta epsilon' });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.setOptions({ latencyMs: 0, ttftMs: 0, interChunkMs: 0 });
  });

  function contentFrames(frames: Frame[]): number {
    if (protocol === 'ollama') return frames.filter((f) => JSON.parse(f.text).done === false).length;
    return parseSse(frames).filter((e) => {
      if (e.data === '[DONE]') return false;
      const d = JSON.parse(e.data);
      return protocol === 'openai' ? typeof d.choices?.[0]?.delta?.content === 'string' && d.choices[0].delta.content !== '' : d.type === 'content_block_delta';
    }).length;
  }

  it("'error' responds with status in the protocol's shape; 429 sets retry-after; times limits it", async () => {
    fake.setFault({ mode: 'error' });
    const e500 = await chat({ stream: false });
    expect(e500.status).toBe(500);
    const b500 = await e500.json().then(asJson);
    if (protocol === 'openai') expect(b500.error).toMatchObject({ type: 'server_error', param: null, message: expect.any(String) });
    if (protocol === 'anthropic') expect(b500).toEqual({ type: 'error', error: { type: 'api_error', message: expect.any(String) } });
    if (protocol === 'ollama') expect(b500).toEqual({ error: expect.any(String) });
    // faults apply to model lists too
    const models = await get(fake, MODELS_PATH[protocol], headers);
    expect(models.status).toBe(500);
    await models.arrayBuffer();

    fake.setFault({ mode: 'error', status: 429, message: 'slow down', retryAfterSec: 7, times: 1 });
    const e429 = await chat();
    expect(e429.status).toBe(429);
    expect(e429.headers.get('retry-after')).toBe('7');
    const b429 = await e429.json().then(asJson);
    if (protocol === 'openai') expect(b429.error.message).toBe('slow down');
    if (protocol === 'anthropic') expect(b429.error).toEqual({ type: 'rate_limit_error', message: 'slow down' });
    if (protocol === 'ollama') expect(b429.error).toBe('slow down');
    const after = await chat({ stream: false });
    expect(after.status).toBe(200);
    await after.arrayBuffer();

    fake.setFault({ mode: 'error', status: 429 });
    const def = await chat();
    expect(def.headers.get('retry-after')).toBe('1');
    await def.arrayBuffer();
    // the control API is never faulted
    expect((await get(fake, '/_fake/stats')).status).toBe(200);
    if (protocol === 'anthropic') {
      fake.setFault({ mode: 'error', status: 529 });
      expect((await (await chat()).json().then(asJson)).error.type).toBe('overloaded_error');
    }
  });

  it("'timeout' never sends headers; the client giving up counts as an abort", async () => {
    fake.setFault({ mode: 'timeout' });
    const t0 = performance.now();
    await expect(chat({}, AbortSignal.timeout(150))).rejects.toThrow();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    await fake.waitForAbort(2000);
    expect(fake.stats).toMatchObject({ requests: 1, aborted: 1, completed: 0, inFlight: 0 });
  });

  it("'reset' destroys the socket without a response", async () => {
    fake.setFault({ mode: 'reset', times: 1 });
    await expect(chat({ stream: false })).rejects.toThrow();
    const ok = await chat({ stream: false });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    await sleep(20);
    expect(fake.stats).toMatchObject({ requests: 2, aborted: 0, completed: 1, inFlight: 0 });
  });

  it("'midstream' sends afterChunks content chunks then drops the connection", async () => {
    fake.setFault({ mode: 'midstream', afterChunks: 3 });
    const res = await chat({ stream: true });
    expect(res.status).toBe(200);
    const { frames, error } = await new FrameReader(res, sep).untilError();
    expect(error).toBeDefined();
    expect(contentFrames(frames)).toBe(3);
    // non-streaming: behaves like reset
    await expect(chat({ stream: false })).rejects.toThrow();
    // default afterChunks = 2
    fake.setFault({ mode: 'midstream' });
    const r2 = await new FrameReader(await chat({ stream: true }), sep).untilError();
    expect(r2.error).toBeDefined();
    expect(contentFrames(r2.frames)).toBe(2);
    expect(fake.stats.aborted).toBe(0);
  });

  it("'raw' answers exactly the status, headers and body asked for, padding included", async () => {
    fake.setFault({
      mode: 'raw',
      status: 418,
      headers: { 'x-raw': 'yes', 'content-type': 'text/plain' },
      body: 'ab',
      padBytes: 100_000,
      bodyEnd: 'yz',
      times: 1,
    });
    const res = await chat({ stream: false });
    expect(res.status).toBe(418);
    expect(res.headers.get('x-raw')).toBe('yes');
    const text = await res.text();
    expect(text).toHaveLength(100_004);
    expect(text.startsWith('abxxx')).toBe(true);
    expect(text.endsWith('xxyz')).toBe(true);
    expect((await chat({ stream: false })).status).toBe(200);
  });

  it("'stall' sends headers + first chunk then goes silent", async () => {
    fake.setFault({ mode: 'stall' });
    const ac = new AbortController();
    const res = await chat({ stream: true }, ac.signal);
    expect(res.status).toBe(200);
    const reader = new FrameReader(res, sep);
    const got: Frame[] = [];
    const pump = (async () => {
      for (;;) {
        const f = await reader.next();
        if (!f) return;
        got.push(f);
      }
    })().catch(() => undefined);
    await sleep(300);
    expect(contentFrames(got)).toBe(1);
    ac.abort();
    await pump;
    await fake.waitForAbort(2000);
    expect(fake.stats).toMatchObject({ aborted: 1, inFlight: 0 });
  });

  it('control API: /_fake/fault, /_fake/stats, /_fake/requests, /_fake/reset', async () => {
    const setRes = await post(fake, '/_fake/fault', { mode: 'error', status: 503, times: 2 });
    expect(setRes.status).toBe(200);
    await setRes.arrayBuffer();
    for (let i = 0; i < 2; i++) {
      const r = await chat();
      expect(r.status).toBe(503);
      await r.arrayBuffer();
    }
    const r3 = await chat({ stream: false });
    expect(r3.status).toBe(200);
    await r3.arrayBuffer();
    const stats = await (await get(fake, '/_fake/stats')).json().then(asJson);
    expect(stats).toEqual({ requests: 3, aborted: 0, completed: 3, inFlight: 0 });
    const recorded = await (await get(fake, '/_fake/requests')).json().then(asJson);
    expect(recorded.map((r: { method: string; path: string }) => `${r.method} ${r.path}`)).toEqual([
      'POST /_fake/fault',
      `POST ${CHAT_PATH[protocol]}`,
      `POST ${CHAT_PATH[protocol]}`,
      `POST ${CHAT_PATH[protocol]}`,
      'GET /_fake/stats',
      'GET /_fake/requests',
    ]);
    expect(recorded[0].body).toEqual({ mode: 'error', status: 503, times: 2 });
    expect(typeof recorded[1].at).toBe('number');

    const bad = await post(fake, '/_fake/fault', { mode: 'explode' });
    expect(bad.status).toBe(400);
    await bad.arrayBuffer();
    await (await post(fake, '/_fake/fault', { mode: 'reset' })).arrayBuffer();
    expect((await get(fake, '/_fake/stats')).status).toBe(200); // control API is exempt
    await (await post(fake, '/_fake/fault', { mode: 'none' })).arrayBuffer();
    const ok = await chat({ stream: false });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();

    await (await post(fake, '/_fake/reset', {})).arrayBuffer();
    expect(fake.requests).toEqual([]);
    expect(fake.stats).toEqual({ requests: 0, aborted: 0, completed: 0, inFlight: 0 });
  });

  it('detects a client abort mid-stream and stops streaming', async () => {
    fake.setOptions({ interChunkMs: 60 });
    const ac = new AbortController();
    const res = await chat({ stream: true }, ac.signal);
    const reader = new FrameReader(res, sep);
    await reader.next();
    const waiting = fake.waitForAbort(2000);
    ac.abort();
    await waiting;
    expect(fake.stats).toMatchObject({ requests: 1, aborted: 1, completed: 0, inFlight: 0 });
    // an abort that happened before waitForAbort() is still observed once, then a new one is needed
    await expect(fake.waitForAbort(100)).rejects.toThrow(/no aborted request/);
  });

  it('waitForAbort resolves for an abort that happened before the call', async () => {
    fake.setOptions({ ttftMs: 5000 });
    const ac = new AbortController();
    const res = await chat({ stream: true }, ac.signal);
    expect(res.status).toBe(200);
    ac.abort();
    await sleep(100);
    expect(fake.stats.aborted).toBe(1);
    await fake.waitForAbort(100);
  });
});

describe('lifecycle', () => {
  it('close() ends stalled and timed-out requests promptly', async () => {
    const fake = await startFakeLlm({ protocol: 'openai', fault: { mode: 'timeout' } });
    const pending = post(fake, '/v1/chat/completions', chatBody('openai')).then(
      () => 'resolved',
      () => 'rejected',
    );
    await sleep(50);
    expect(fake.stats.inFlight).toBe(1);
    const t0 = performance.now();
    await fake.close();
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(await pending).toBe('rejected');
    expect(fake.stats.aborted).toBe(0);
  });

  it('close() rejects pending waitForAbort and is idempotent', async () => {
    const fake = await startFakeLlm({ protocol: 'ollama' });
    const w = fake.waitForAbort(10_000);
    await fake.close();
    await expect(w).rejects.toThrow(/closed/);
    await fake.close();
  });

  it('maxRecordedRequests keeps only the most recent requests', async () => {
    const fake = await startFakeLlm({ protocol: 'ollama', maxRecordedRequests: 2 });
    try {
      for (const p of ['/api/version', '/api/tags', '/']) await (await get(fake, p)).arrayBuffer();
      expect(fake.requests.map((r) => r.path)).toEqual(['/api/tags', '/']);
      expect(fake.stats.requests).toBe(3);
    } finally {
      await fake.close();
    }
  });

  it('rejects an unknown protocol', async () => {
    await expect(startFakeLlm({ protocol: 'grpc' as FakeProtocol })).rejects.toThrow(/unknown protocol/);
  });
});
