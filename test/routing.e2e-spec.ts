import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import { ADMIN_KEY, inferenceCalls, postJson, readSseData, startStack, type Stack } from './support/stack';

// Policy routing end to end, run twice: with the engine in the gateway (embedded) and with the
// router service deciding over gRPC (remote). Same code, same expectations.

const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
const ask = postJson;
const say = (content: string, model = 'chat', more: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content }], ...more });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Everything a fake received in its inference calls, as text. */
const received = (fake: FakeLlm): string => JSON.stringify(inferenceCalls(fake).map((r) => r.body));

const EMAIL = 'jane.doe@example.com';
const CARD = '4111 1111 1111 1111';

describe.each(['embedded', 'remote'] as const)('policy routing (%s)', (mode) => {
  describe('privacy: local-only', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        mode,
        backends: [
          { name: 'local', protocol: 'ollama', tier: 'local', models: ['llama3.2'] },
          { name: 'cloud', protocol: 'anthropic', tier: 'cloud', models: ['claude'] },
        ],
        models: [
          {
            name: 'chat',
            targets: [
              { backend: 'local', model: 'llama3.2' },
              { backend: 'cloud', model: 'claude' },
            ],
          },
          { name: 'cloud-only', targets: [{ backend: 'cloud', model: 'claude' }] },
        ],
        policy: { strategy: 'cloud-first', privacy: { onPii: 'local-only' }, health: { intervalMs: 60000 } },
      });
    });
    afterAll(() => stack.close());
    afterEach(() => Object.values(stack.fakes).forEach((f) => f.setFault(undefined)));

    it('sends a clean prompt where the strategy says (cloud first)', async () => {
      const res = await ask(stack, say('hello there'));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-switchyard-backend')).toBe('cloud');
    });

    it('keeps a prompt with PII on a local backend, streaming too', async () => {
      for (const stream of [false, true]) {
        const res = await ask(stack, say(`mail ${EMAIL} card ${CARD}`, 'chat', { stream }));
        expect(res.status).toBe(200);
        expect(res.headers.get('x-switchyard-backend')).toBe('local');
        expect(res.headers.get('x-switchyard-tier')).toBe('local');
        if (stream) await readSseData(res);
        else await res.json();
      }
      expect(received(stack.fakes.cloud)).not.toContain(EMAIL);
      expect(received(stack.fakes.local)).toContain(EMAIL);
    });

    it('never spills PII to the cloud when the local backend fails', async () => {
      stack.fakes.local.setFault({ mode: 'error', status: 500 });
      const res = await ask(stack, say(`reach me at ${EMAIL}`));
      expect(res.status).toBe(502);
      expect(received(stack.fakes.cloud)).not.toContain(EMAIL);
    });

    it('answers 403 in OpenAI shape when no local backend can take it', async () => {
      const res = await ask(stack, say(`card ${CARD}`, 'cloud-only'));
      expect(res.status).toBe(403);
      const body = (await res.json()) as { error: { code: string; type: string; message: string } };
      expect(body.error).toMatchObject({ code: 'pii_local_only', type: 'permission_error' });
      expect(body.error.message).toContain('credit_card');
      expect(body.error.message).not.toContain('4111');
      expect(received(stack.fakes.cloud)).not.toContain('4111');
    });

    it('records findings by category only', async () => {
      await ask(stack, say(`mail ${EMAIL}`));
      const text = JSON.stringify(stack.logs());
      expect(text).not.toContain(EMAIL);
      const metrics = await (await fetch(`${stack.url}/metrics`)).text();
      expect(metrics).toMatch(/switchyard_pii_requests_total\{category="email",action="local-only"\} \d+/);
    });

    it('explains the decision without calling any backend', async () => {
      const before = received(stack.fakes.local).length + received(stack.fakes.cloud).length;
      const res = await ask(stack, say(`mail ${EMAIL}`), {}, '/route/explain');
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        model: 'chat',
        mode,
        route: 'model:chat',
        strategy: 'cloud-first',
        privacy: { categories: ['email'], action: 'local-only' },
        candidates: [{ backend: 'local', tier: 'local' }],
        dropped: [{ backend: 'cloud', reason: expect.stringContaining('local-only') }],
      });
      expect(received(stack.fakes.local).length + received(stack.fakes.cloud).length).toBe(before);
    });
  });

  describe('privacy: redact', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        mode,
        backends: [{ name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['gpt'] }],
        models: [{ name: 'chat', targets: [{ backend: 'cloud', model: 'gpt' }] }],
        policy: { privacy: { onPii: 'redact' }, health: { intervalMs: 60000 } },
      });
    });
    afterAll(() => stack.close());

    it('sends placeholders to the cloud and restores the originals in the answer, streaming too', async () => {
      const prompt = `write to ${EMAIL} about card ${CARD}`;
      const res = await ask(stack, say(prompt));
      expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content).toBe(`Echo: ${prompt}`);
      const stream = await ask(stack, say(prompt, 'chat', { stream: true }));
      const text = (await readSseData(stream))
        .filter((d) => d !== '[DONE]')
        .map((d) => (JSON.parse(d) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
        .join('');
      expect(text).toBe(`Echo: ${prompt}`);
      const seen = received(stack.fakes.cloud);
      expect(seen).not.toContain(EMAIL);
      expect(seen).not.toContain('4111');
      expect(seen).toContain('[EMAIL_1]');
      expect(seen).toContain('[CREDIT_CARD_1]');
    });

    it("sends the cloud what it scanned, not the client's text: a duplicate key cannot carry PII past the scan", async () => {
      // JSON.parse keeps the last "messages"; a parser that keeps the first would read the email.
      const text = `{"model":"gpt","messages":[{"role":"user","content":"mail ${EMAIL}"}],"messages":[{"role":"user","content":"hello"}]}`;
      const res = await fetch(`${stack.baseURL}/chat/completions`, { method: 'POST', headers, body: text });
      expect(res.status).toBe(200);
      await res.json();
      const sent = inferenceCalls(stack.fakes.cloud).pop()!;
      expect(sent.text).not.toContain(EMAIL);
      expect(sent.body).toMatchObject({ model: 'gpt', messages: [{ role: 'user', content: 'hello' }] });
    });
  });

  describe('privacy: embeddings', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        mode,
        backends: [
          { name: 'local', protocol: 'openai', tier: 'local', models: ['emb'] },
          { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['emb'] },
        ],
        models: [
          {
            name: 'embed',
            targets: [
              { backend: 'local', model: 'emb' },
              { backend: 'cloud', model: 'emb' },
            ],
          },
          { name: 'embed-cloud', targets: [{ backend: 'cloud', model: 'emb' }] },
        ],
        policy: { strategy: 'cloud-first', privacy: { onPii: 'local-only' }, health: { intervalMs: 60000 } },
      });
    });
    afterAll(() => stack.close());
    const embed = (input: unknown, model = 'embed') => ask(stack, { model, input }, {}, '/embeddings');

    it('sends clean input where the strategy says, and keeps input with PII on a local backend', async () => {
      const clean = await embed(['hello', 'world']);
      expect(clean.status).toBe(200);
      expect(clean.headers.get('x-switchyard-backend')).toBe('cloud');
      const personal = await embed(['hello', `mail ${EMAIL}`]);
      expect(personal.status).toBe(200);
      expect(personal.headers.get('x-switchyard-backend')).toBe('local');
      expect(received(stack.fakes.cloud)).not.toContain(EMAIL);
      expect(received(stack.fakes.local)).toContain(EMAIL);
    });

    it('answers 403 when no local backend serves the model', async () => {
      const res = await embed(`card ${CARD}`, 'embed-cloud');
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('pii_local_only');
      expect(received(stack.fakes.cloud)).not.toContain('4111');
    });
  });

  describe('privacy: redact, embeddings', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        mode,
        backends: [{ name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['emb'] }],
        policy: { privacy: { onPii: 'redact' }, health: { intervalMs: 60000 } },
      });
    });
    afterAll(() => stack.close());

    it('sends placeholders to the cloud, for a list of inputs and for one', async () => {
      const res = await ask(stack, { model: 'emb', input: [`mail ${EMAIL}`, 'plain'] }, {}, '/embeddings');
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(2);
      const seen = inferenceCalls(stack.fakes.cloud).pop()!.body as { input: unknown };
      expect(seen.input).toEqual(['mail [EMAIL_1]', 'plain']);
      const one = await ask(stack, { model: 'emb', input: `card ${CARD}` }, {}, '/embeddings');
      expect(one.status).toBe(200);
      expect((inferenceCalls(stack.fakes.cloud).pop()!.body as { input: unknown }).input).toBe('card [CREDIT_CARD_1]');
      expect(received(stack.fakes.cloud)).not.toContain(EMAIL);
    });

    it("sends the cloud what it scanned, not the client's text", async () => {
      const text = `{"model":"emb","input":"mail ${EMAIL}","input":"plain"}`;
      const res = await fetch(`${stack.baseURL}/embeddings`, { method: 'POST', headers, body: text });
      expect(res.status).toBe(200);
      await res.json();
      const sent = inferenceCalls(stack.fakes.cloud).pop()!;
      expect(sent.text).not.toContain(EMAIL);
      expect((sent.body as { input: unknown }).input).toBe('plain');
    });
  });

  describe('rules, context windows and explain', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        mode,
        backends: [
          { name: 'local', protocol: 'openai', tier: 'local', models: ['small'] },
          { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['big'] },
        ],
        models: [
          {
            name: 'chat',
            targets: [
              { backend: 'local', model: 'small' },
              { backend: 'cloud', model: 'big' },
            ],
          },
        ],
        policy: {
          strategy: 'local-first',
          health: { intervalMs: 60000 },
          rules: [
            { name: 'confidential', match: { tags: ['confidential'] }, action: { tier: 'local' } },
            { name: 'ml-team-cloud', match: { header: { 'x-team': 'ml' } }, action: { strategy: 'cloud-first' } },
            { name: 'no-legacy', match: { model: 'legacy*' }, action: { deny: 'legacy models are retired' } },
          ],
        },
      });
    });
    afterAll(() => stack.close());

    it('lets the first matching rule place the request and names it in x-switchyard-route', async () => {
      const tagged = await ask(stack, say('hi'), { 'x-switchyard-tags': 'confidential' });
      expect(tagged.headers.get('x-switchyard-route')).toBe('confidential');
      expect(tagged.headers.get('x-switchyard-backend')).toBe('local');
      const ml = await ask(stack, say('hi'), { 'x-team': 'ml' });
      expect(ml.headers.get('x-switchyard-route')).toBe('ml-team-cloud');
      expect(ml.headers.get('x-switchyard-backend')).toBe('cloud');
      const byBody = await ask(stack, say('hi', 'chat', { metadata: { tags: ['confidential'] } }), { 'x-team': 'ml' });
      expect(byBody.headers.get('x-switchyard-route')).toBe('confidential');
      const plain = await ask(stack, say('hi'));
      expect(plain.headers.get('x-switchyard-route')).toBe('model:chat');
    });

    it('explains why each backend was kept or dropped', async () => {
      const res = await ask(stack, say('hi'), { 'x-switchyard-tags': 'confidential' }, '/route/explain');
      expect(await res.json()).toMatchObject({
        route: 'confidential',
        candidates: [{ backend: 'local', reason: expect.any(String) }],
        dropped: [{ backend: 'cloud', reason: 'rule "confidential" keeps tier local' }],
      });
    });
  });

  describe('a saturated local backend', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        mode,
        backends: [
          { name: 'local', protocol: 'openai', tier: 'local', models: ['small'], fake: { latencyMs: 1500 }, maxConcurrency: 1 },
          { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['big'] },
        ],
        models: [
          {
            name: 'chat',
            targets: [
              { backend: 'local', model: 'small' },
              { backend: 'cloud', model: 'big' },
            ],
          },
        ],
        policy: { strategy: 'local-first', health: { intervalMs: 60000 } },
      });
    });
    afterAll(() => stack.close());

    it('spills to the cloud under local-first', async () => {
      const first = ask(stack, say('slow one'));
      await sleep(300);
      const second = await ask(stack, say('fast one'));
      expect(second.status).toBe(200);
      expect(second.headers.get('x-switchyard-backend')).toBe('cloud');
      expect((await first).headers.get('x-switchyard-backend')).toBe('local');
    });
  });

  describe('a saturated local backend with a queue wait', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        mode,
        backends: [
          { name: 'local', protocol: 'openai', tier: 'local', models: ['small'], fake: { latencyMs: 400 }, maxConcurrency: 1 },
          { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['big'] },
        ],
        models: [
          {
            name: 'chat',
            targets: [
              { backend: 'local', model: 'small' },
              { backend: 'cloud', model: 'big' },
            ],
          },
        ],
        policy: { strategy: 'local-first', queueWaitMs: 5000, health: { intervalMs: 60000 } },
      });
    });
    afterAll(() => stack.close());

    it('waits for the local slot (bounded) instead of spilling', async () => {
      const first = ask(stack, say('first'));
      await sleep(100);
      const second = await ask(stack, say('second'));
      expect(second.headers.get('x-switchyard-backend')).toBe('local');
      expect((await first).headers.get('x-switchyard-backend')).toBe('local');
    });
  });

  describe('a backend that dies and comes back', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        mode,
        backends: [
          { name: 'primary', protocol: 'openai', tier: 'local', models: ['m'] },
          { name: 'secondary', protocol: 'openai', tier: 'local', models: ['m2'] },
        ],
        models: [
          {
            name: 'chat',
            targets: [
              { backend: 'primary', model: 'm' },
              { backend: 'secondary', model: 'm2' },
            ],
          },
        ],
        // Probes too slow to matter here: the breaker alone must do it. Open long enough to be seen
        // open by the explain call on a loaded machine; half-open within the wait for its return.
        policy: { breaker: { minRequests: 3, failureRate: 0.5, openMs: 3000, halfOpenSuccesses: 1 }, health: { intervalMs: 60000 } },
      });
    });
    afterAll(() => stack.close());

    it('trips its breaker under load, with no failed client request, and gets traffic back on return', async () => {
      const port = stack.fakes.primary.port;
      await stack.fakes.primary.close();

      const served: string[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await ask(stack, say(`request ${i}`));
        expect(res.status).toBe(200);
        served.push(res.headers.get('x-switchyard-backend') ?? '');
        await res.json();
      }
      expect(served.every((b) => b === 'secondary')).toBe(true);
      // Once open, the dead backend is no longer tried: the last requests went straight to secondary.
      const tried = stack.logs().filter((l) => l.msg === 'upstream attempt failed: Backend primary is unreachable (ECONNREFUSED).');
      expect(tried.length).toBeGreaterThanOrEqual(3);
      expect(tried.length).toBeLessThan(15);
      const explain = (await (await ask(stack, say('x'), {}, '/route/explain')).json()) as { dropped: { backend: string; reason: string }[] };
      expect(explain.dropped).toEqual([expect.objectContaining({ backend: 'primary', reason: 'circuit open' })]);

      stack.fakes.primary = await startFakeLlm({ protocol: 'openai', models: ['m'], port });
      let back = false;
      for (let i = 0; i < 100 && !back; i++) {
        await sleep(100);
        const res = await ask(stack, say(`after ${i}`));
        expect(res.status).toBe(200);
        back = res.headers.get('x-switchyard-backend') === 'primary';
        await res.json();
      }
      expect(back).toBe(true);
    });
  });

  describe('active health probes', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({
        mode,
        backends: [
          { name: 'primary', protocol: 'ollama', tier: 'local', models: ['m'] },
          { name: 'secondary', protocol: 'openai', tier: 'cloud', models: ['m2'] },
        ],
        models: [
          {
            name: 'chat',
            targets: [
              { backend: 'primary', model: 'm' },
              { backend: 'secondary', model: 'm2' },
            ],
          },
        ],
        policy: { health: { intervalMs: 100, timeoutMs: 200, failuresToDown: 2, successesToUp: 2 } },
      });
    });
    afterAll(() => stack.close());

    const explain = async (): Promise<{ candidates: { backend: string }[]; dropped: { backend: string; reason: string }[] }> =>
      (await ask(stack, say('x'), {}, '/route/explain')).json() as Promise<{
        candidates: { backend: string }[];
        dropped: { backend: string; reason: string }[];
      }>;

    it('marks a dead backend down after N failures and up again after M successes', async () => {
      const port = stack.fakes.primary.port;
      await stack.fakes.primary.close();
      let down = false;
      for (let i = 0; i < 50 && !down; i++) {
        await sleep(100);
        down = (await explain()).dropped.some((d) => d.backend === 'primary' && d.reason === 'health probes failing');
      }
      expect(down).toBe(true);
      const res = await ask(stack, say('while down'));
      expect(res.headers.get('x-switchyard-backend')).toBe('secondary');

      stack.fakes.primary = await startFakeLlm({ protocol: 'ollama', models: ['m'], port });
      let up = false;
      for (let i = 0; i < 50 && !up; i++) {
        await sleep(100);
        up = (await explain()).candidates[0]?.backend === 'primary';
      }
      expect(up).toBe(true);
    });
  });
});

describe('the router going away (remote mode)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      mode: 'remote',
      backends: [{ name: 'local', protocol: 'openai', tier: 'local', models: ['m'] }],
      models: [{ name: 'chat', targets: [{ backend: 'local', model: 'm' }] }],
    });
  });
  afterAll(() => stack.close());

  it('never stops traffic: the gateway decides on its own and says so in logs and metrics', async () => {
    const before = await ask(stack, say('with router'), {}, '/route/explain');
    expect(((await before.json()) as { mode: string }).mode).toBe('remote');
    await stack.router!.close();
    for (let i = 0; i < 5; i++) {
      const res = await ask(stack, say(`without router ${i}`));
      expect(res.status).toBe(200);
      await res.json();
    }
    expect(stack.logs().some((l) => String(l.msg).startsWith('router unreachable'))).toBe(true);
    const metrics = await (await fetch(`${stack.url}/metrics`)).text();
    const fallbacks = Number(/switchyard_router_fallback_total (\d+)/.exec(metrics)?.[1]);
    expect(fallbacks).toBeGreaterThanOrEqual(5);
  });
});

describe('config hot reload (gateway)', () => {
  let stack: Stack;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-reload-'));
  const configPath = join(dir, 'switchyard.yaml');
  beforeAll(async () => {
    stack = await startStack({
      configPath,
      backends: [{ name: 'local', protocol: 'openai', tier: 'local', models: ['m'] }],
      models: [{ name: 'chat', targets: [{ backend: 'local', model: 'm' }] }],
    });
  });
  afterAll(() => stack.close());

  const modelIds = async (): Promise<string[]> =>
    ((await (await fetch(`${stack.baseURL}/models`, { headers })).json()) as { data: { id: string }[] }).data.map((m) => m.id);

  it('applies a valid config without a restart, and keeps the old one when the new one is invalid', async () => {
    const baseUrl = stack.fakes.local.baseUrl;
    writeFileSync(
      configPath,
      `backends:\n  - { name: local, protocol: openai, baseUrl: "${baseUrl}", tier: local, models: [m] }\nmodels:\n  - { name: chat, targets: [{ backend: local, model: m }] }\n  - { name: chat2, targets: [{ backend: local, model: m }] }\n`,
    );
    let ids: string[] = [];
    for (let i = 0; i < 50 && !ids.includes('chat2'); i++) {
      await sleep(100);
      ids = await modelIds();
    }
    expect(ids).toContain('chat2');
    expect((await ask(stack, say('hi', 'chat2'))).status).toBe(200);

    writeFileSync(configPath, `backends:\n  - { name: local, protocol: grpc, baseUrl: "${baseUrl}", tier: local, models: [m] }\n`);
    let rejected = false;
    for (let i = 0; i < 50 && !rejected; i++) {
      await sleep(100);
      rejected = stack.logs().some((l) => String(l.msg).includes('config reload failed') && String(l.msg).includes('backends[0].protocol'));
    }
    expect(rejected).toBe(true);
    expect(await modelIds()).toContain('chat2');
  });

  it('reloads on SIGHUP without dropping a request in flight', async () => {
    const baseUrl = stack.fakes.local.baseUrl;
    stack.fakes.local.setOptions({ interChunkMs: 100, reply: 'one two three four five six seven eight' });
    const inFlight = ask(stack, say('long answer', 'chat', { stream: true }));
    await sleep(150);
    writeFileSync(
      configPath,
      `backends:\n  - { name: local, protocol: openai, baseUrl: "${baseUrl}", tier: local, models: [m], maxConcurrency: 8 }\nmodels:\n  - { name: chat, targets: [{ backend: local, model: m }] }\n  - { name: chat3, targets: [{ backend: local, model: m }] }\n`,
    );
    // Delivered to the listeners the gateway registered (a real signal would reach Jest's own process first).
    process.emit('SIGHUP', 'SIGHUP');
    let ids: string[] = [];
    for (let i = 0; i < 50 && !ids.includes('chat3'); i++) {
      await sleep(50);
      ids = await modelIds();
    }
    expect(ids).toContain('chat3');
    expect(stack.logs().some((l) => l.msg === 'config reloaded' && l.trigger === 'signal')).toBe(true);
    // The stream that started before the reload finishes whole: the backend's pool was not torn down under it.
    const data = await readSseData(await inFlight);
    expect(data[data.length - 1]).toBe('[DONE]');
    const text = data
      .slice(0, -1)
      .map((d) => (JSON.parse(d) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('one two three four five six seven eight');
    stack.fakes.local.setOptions({ interChunkMs: 0, reply: undefined });
  });
});
