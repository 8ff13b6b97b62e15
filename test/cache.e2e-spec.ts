import Anthropic from '@anthropic-ai/sdk';
import Redis from 'ioredis';
import OpenAI from 'openai';
import { LEDGER_SINK, migrate, SqlKeyStore, SqlTenantStore, type LedgerSink } from '@switchyard/store';
import type { TenantCache } from '@switchyard/contracts';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../libs/store/src/sql/test-database';
import type { Database } from '../libs/store/src/sql/database';
import { CacheService } from '../apps/gateway/src/cache/cache.service';
import { assertOpenAISchema } from './support/openai-spec';
import { ADMIN_KEY, inferenceCalls, readSseData, startStack, TEST_SERVER_SECRET, type Stack, type StackSpec } from './support/stack';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

// The response cache, end to end: exact hits byte for byte, streams replayed in OpenAI's shape,
// near matches of the last user turn, and never an answer served across tenants. Each suite runs
// on the embedded defaults (memory, PGlite) or, where DATABASE_URL is set, on PostgreSQL, and once
// more with the exact cache on Redis (REDIS_URL, or the local default: the Redis suites fail,
// saying so, without one).

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const CACHE = { mode: 'exact', ttlSeconds: 300, semantic: { embeddingModel: 'embed', threshold: 0.92 } };

function spec(db: Database, extra: Partial<StackSpec> = {}): StackSpec {
  return {
    database: db,
    backends: [
      {
        name: 'local',
        protocol: 'openai',
        models: ['m', 'semantic-embed'],
        fake: { interChunkMs: 2 },
        costPerHour: 0.8,
      },
      { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['gpt'], price: { input: 2, output: 8 } },
    ],
    models: [
      { name: 'chat', targets: [{ backend: 'local', model: 'm' }] },
      { name: 'chat-cloud', targets: [{ backend: 'cloud', model: 'gpt' }] },
      { name: 'chat-sem', targets: [{ backend: 'local', model: 'm' }], cache: { mode: 'semantic' } },
      { name: 'chat-off', targets: [{ backend: 'local', model: 'm' }], cache: { mode: 'off' } },
      { name: 'embed', targets: [{ backend: 'local', model: 'semantic-embed' }] },
    ],
    cache: CACHE,
    ...extra,
  };
}

interface Tenants {
  keys: Record<string, string>;
  ids: Record<string, string>;
}

async function makeTenants(db: Database, prefix: string, list: Record<string, TenantCache | undefined>): Promise<Tenants> {
  const tenants = new SqlTenantStore(db);
  const apiKeys = new SqlKeyStore(db, TEST_SERVER_SECRET);
  const out: Tenants = { keys: {}, ids: {} };
  for (const [name, cache] of Object.entries(list)) {
    const t = await tenants.create({ name: `${prefix}-${name}`, cache });
    out.ids[name] = t.id;
    out.keys[name] = (await apiKeys.create(t.id, { name: 'test' }))!.key;
  }
  return out;
}

/** Answers are kept off the request path: a test waits for them before it asks again. */
const kept = (stack: Stack): Promise<void> => stack.app.get(CacheService).idle();

/** POSTs a chat completion with a tenant's key; `text` sends a body as written (key order, spaces). */
async function post(stack: Stack, key: string, body: unknown, headers: Record<string, string> = {}, text?: string): Promise<Response> {
  await kept(stack);
  return fetch(`${stack.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: text ?? JSON.stringify(body),
  });
}

const ask = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'chat', messages: [{ role: 'user', content }], ...extra });

function exactSuite(label: string, redisUrl: string | undefined): void {
  describe(`response cache, exact (${label}, ${testDatabaseName})`, () => {
    let db: Database;
    let stack: Stack;
    let t: Tenants;
    const calls = () => inferenceCalls(stack.fakes.local).length;

    beforeAll(async () => {
      if (redisUrl !== undefined) {
        const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
        try {
          await probe.connect();
          await probe.ping();
        } catch (err) {
          throw new Error(`This suite needs Redis at ${redisUrl} (set REDIS_URL): ${(err as Error).message}`);
        } finally {
          probe.disconnect();
        }
      }
      db = await openTestDatabase();
      await migrate(db);
      t = await makeTenants(db, `cache-${label}`, { a: undefined, b: undefined, n1: { namespace: 'pool' }, n2: { namespace: 'pool' }, off: { mode: 'off' } });
      // A tenant with limits and budgets: its hits must not count against them.
      await new SqlTenantStore(db).update(t.ids.b, { limits: { tpm: 1_000_000 }, budgets: { dailyUsd: 100 } });
      stack = await startStack(spec(db, redisUrl === undefined ? {} : { redisUrl, redisPrefix: `sy-test-cache-${Date.now()}-${Math.random()}` }));
    });

    afterAll(async () => {
      await stack?.close();
      if (db) await closeTestDatabase(db);
    });

    it('answers the same request from the cache, byte for byte, with one backend call for two requests', async () => {
      const before = calls();
      const first = await post(stack, t.keys.a, ask('byte identical please', { temperature: 0 }));
      expect(first.status).toBe(200);
      expect(first.headers.get('x-switchyard-cache')).toBe('miss');
      const firstText = await first.text();
      const second = await post(stack, t.keys.a, ask('byte identical please', { temperature: 0 }));
      expect(second.status).toBe(200);
      expect(second.headers.get('x-switchyard-cache')).toBe('hit');
      expect(second.headers.get('x-switchyard-backend')).toBe('local');
      expect(await second.text()).toBe(firstText);
      assertOpenAISchema('CreateChatCompletionResponse', JSON.parse(firstText));
      expect(calls() - before).toBe(1);
    });

    it('keys a request by what it means: key order and whitespace do not matter, a parameter does', async () => {
      const before = calls();
      await (await post(stack, t.keys.a, ask('key order', { temperature: 0, max_tokens: 50 }))).text();
      const reordered = `{ "max_tokens": 50,  "temperature": 0, "messages": [ { "content": "key order", "role": "user" } ], "model": "chat" }`;
      const res = await post(stack, t.keys.a, undefined, {}, reordered);
      expect(res.headers.get('x-switchyard-cache')).toBe('hit');
      const other = await post(stack, t.keys.a, ask('key order', { temperature: 0, max_tokens: 51 }));
      expect(other.headers.get('x-switchyard-cache')).toBe('miss');
      const stopped = await post(stack, t.keys.a, ask('key order', { temperature: 0, max_tokens: 50, stop: ['x'] }));
      expect(stopped.headers.get('x-switchyard-cache')).toBe('miss');
      expect(calls() - before).toBe(3);
    });

    it("never serves one tenant another's answer, and the other's request reaches the backend", async () => {
      const prompt = ask('what did tenant A ask?', { temperature: 0 });
      expect((await post(stack, t.keys.a, prompt)).headers.get('x-switchyard-cache')).toBe('miss');
      expect((await post(stack, t.keys.a, prompt)).headers.get('x-switchyard-cache')).toBe('hit');
      const before = calls();
      const b = await post(stack, t.keys.b, prompt);
      expect(b.status).toBe(200);
      expect(b.headers.get('x-switchyard-cache')).toBe('miss');
      expect(calls() - before).toBe(1);
      const seen = inferenceCalls(stack.fakes.local).at(-1)!.body as { messages: { content: string }[] };
      expect(seen.messages[0].content).toBe('what did tenant A ask?');
    });

    it('shares answers between tenants an operator put in one namespace, and only them', async () => {
      const prompt = ask('pooled question', { temperature: 0 });
      expect((await post(stack, t.keys.n1, prompt)).headers.get('x-switchyard-cache')).toBe('miss');
      expect((await post(stack, t.keys.n2, prompt)).headers.get('x-switchyard-cache')).toBe('hit');
      expect((await post(stack, t.keys.a, prompt)).headers.get('x-switchyard-cache')).toBe('miss');
    });

    it('replays a cached answer as an OpenAI stream, usage included when asked, and keeps a stream only when it completed', async () => {
      const client = new OpenAI({ baseURL: stack.baseURL, apiKey: t.keys.a, maxRetries: 0 });
      const body = { model: 'chat', temperature: 0, messages: [{ role: 'user' as const, content: 'stream me a cached answer' }] };
      const before = calls();
      const read = async (includeUsage: boolean) => {
        await kept(stack);
        const { data: stream, response } = await client.chat.completions
          .create({ ...body, stream: true, stream_options: includeUsage ? { include_usage: true } : undefined })
          .withResponse();
        let text = '';
        let usage: unknown;
        let finish: string | null | undefined;
        for await (const chunk of stream) {
          assertOpenAISchema('CreateChatCompletionStreamResponse', chunk);
          text += chunk.choices[0]?.delta?.content ?? '';
          finish = chunk.choices[0]?.finish_reason ?? finish;
          if (chunk.usage) usage = chunk.usage;
        }
        return { text, usage, finish, cache: response.headers.get('x-switchyard-cache') };
      };
      const miss = await read(true);
      expect(miss.cache).toBe('miss');
      const hit = await read(true);
      expect(hit.cache).toBe('hit');
      expect(hit.text).toBe(miss.text);
      expect(hit.finish).toBe('stop');
      expect(hit.usage).toEqual(miss.usage);
      const plain = await read(false);
      expect(plain.cache).toBe('hit');
      expect(plain.usage).toBeUndefined();
      // The streamed answer also answers the same request unstreamed.
      const whole = await post(stack, t.keys.a, body);
      expect(whole.headers.get('x-switchyard-cache')).toBe('hit');
      const completion = (await whole.json()) as { choices: { message: { content: string } }[] };
      assertOpenAISchema('CreateChatCompletionResponse', completion);
      expect(completion.choices[0].message.content).toBe(miss.text);
      expect(calls() - before).toBe(1);
      // The raw events end in [DONE].
      const raw = await readSseData(await post(stack, t.keys.a, { ...body, stream: true }));
      expect(raw.at(-1)).toBe('[DONE]');
    });

    it('does not keep a stream its client left before the end', async () => {
      const prompt = ask('a long answer '.repeat(40), { temperature: 0, stream: true });
      const res = await post(stack, t.keys.a, prompt);
      expect(res.headers.get('x-switchyard-cache')).toBe('miss');
      const reader = res.body!.getReader();
      await reader.read();
      await reader.cancel();
      await new Promise((r) => setTimeout(r, 300));
      const again = await post(stack, t.keys.a, prompt);
      expect(again.headers.get('x-switchyard-cache')).toBe('miss');
      await again.text();
    });

    it('does not keep an answer cut short by its token cap', async () => {
      const prompt = ask('a rather long prompt that the fake will echo past the cap', { temperature: 0, max_tokens: 2 });
      const first = await post(stack, t.keys.a, prompt);
      expect(((await first.json()) as { choices: { finish_reason: string }[] }).choices[0].finish_reason).toBe('length');
      expect((await post(stack, t.keys.a, prompt)).headers.get('x-switchyard-cache')).toBe('miss');
    });

    it('leaves sampled requests alone unless they carry a seed', async () => {
      const sampledPrompt = ask('sampled', { temperature: 0.7 });
      const before = calls();
      expect((await post(stack, t.keys.a, sampledPrompt)).headers.get('x-switchyard-cache')).toBe('bypass');
      expect((await post(stack, t.keys.a, sampledPrompt)).headers.get('x-switchyard-cache')).toBe('bypass');
      expect(calls() - before).toBe(2);
      const seeded = ask('sampled', { temperature: 0.7, seed: 7 });
      expect((await post(stack, t.keys.a, seeded)).headers.get('x-switchyard-cache')).toBe('miss');
      expect((await post(stack, t.keys.a, seeded)).headers.get('x-switchyard-cache')).toBe('hit');
    });

    it('follows the client: x-switchyard-cache no-cache, no-store, force-refresh, and Cache-Control', async () => {
      const p = (s: string) => ask(`directive ${s}`, { temperature: 0 });
      // no-cache: not read, nothing kept.
      expect((await post(stack, t.keys.a, p('1'), { 'x-switchyard-cache': 'no-cache' })).headers.get('x-switchyard-cache')).toBe('bypass');
      expect((await post(stack, t.keys.a, p('1'))).headers.get('x-switchyard-cache')).toBe('miss');
      expect((await post(stack, t.keys.a, p('1'), { 'x-switchyard-cache': 'no-cache' })).headers.get('x-switchyard-cache')).toBe('bypass');
      // no-store: answered from the cache when there, nothing kept when not.
      expect((await post(stack, t.keys.a, p('1'), { 'x-switchyard-cache': 'no-store' })).headers.get('x-switchyard-cache')).toBe('hit');
      expect((await post(stack, t.keys.a, p('2'), { 'cache-control': 'no-store' })).headers.get('x-switchyard-cache')).toBe('miss');
      expect((await post(stack, t.keys.a, p('2'))).headers.get('x-switchyard-cache')).toBe('miss');
      // force-refresh: asks the backend and replaces the entry.
      const before = calls();
      expect((await post(stack, t.keys.a, p('2'), { 'x-switchyard-cache': 'force-refresh' })).headers.get('x-switchyard-cache')).toBe('bypass');
      expect((await post(stack, t.keys.a, p('2'), { 'cache-control': 'no-cache' })).headers.get('x-switchyard-cache')).toBe('bypass');
      expect(calls() - before).toBe(2);
      expect((await post(stack, t.keys.a, p('2'))).headers.get('x-switchyard-cache')).toBe('hit');
    });

    it('stays off where a model or a tenant turns it off, and says nothing then', async () => {
      const off = await post(stack, t.keys.a, { ...ask('off model', { temperature: 0 }), model: 'chat-off' });
      expect(off.status).toBe(200);
      expect(off.headers.get('x-switchyard-cache')).toBeNull();
      const tenantOff = await post(stack, t.keys.off, ask('off tenant', { temperature: 0 }));
      expect(tenantOff.headers.get('x-switchyard-cache')).toBeNull();
    });

    it('answers the Anthropic door from its own entries', async () => {
      const client = new Anthropic({ baseURL: stack.url, apiKey: t.keys.a, maxRetries: 0 });
      const body = { model: 'chat', max_tokens: 64, temperature: 0, messages: [{ role: 'user' as const, content: 'anthropic cached' }] };
      const before = calls();
      const first = await client.messages.create(body).withResponse();
      expect(first.response.headers.get('x-switchyard-cache')).toBe('miss');
      await kept(stack);
      const second = await client.messages.create(body).withResponse();
      expect(second.response.headers.get('x-switchyard-cache')).toBe('hit');
      expect(second.data.content).toEqual(first.data.content);
      expect(second.data.usage.output_tokens).toBe(first.data.usage.output_tokens);
      await kept(stack);
      const streamed = await client.messages.stream(body).finalMessage();
      expect(streamed.content).toEqual(first.data.content);
      expect(calls() - before).toBe(1);
    });

    it('records a hit in the ledger with the cost it saved, and counts it in /metrics and the usage API', async () => {
      const prompt = { ...ask('ledger hit', { temperature: 0 }), model: 'chat-cloud' };
      await (await post(stack, t.keys.b, prompt, { 'x-request-id': `ledger-miss-${label}` })).text();
      const hit = await post(stack, t.keys.b, prompt, { 'x-request-id': `ledger-hit-${label}` });
      expect(hit.headers.get('x-switchyard-cache')).toBe('hit');
      await hit.text();
      await stack.app.get<LedgerSink>(LEDGER_SINK).flush();
      const record = async (id: string) =>
        (await (await fetch(`${stack.url}/admin/v1/requests/${id}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as Record<string, unknown>;
      const miss = await record(`ledger-miss-${label}`);
      const got = await record(`ledger-hit-${label}`);
      expect(miss.cache).toBe('miss');
      expect(got.cache).toBe('hit');
      expect(got.cost_usd).toBe(0);
      expect(got.cache_saved_usd).toBeCloseTo(miss.cost_usd as number, 12);
      expect(got.cache_saved_usd as number).toBeGreaterThan(0);
      expect(got.input_tokens).toBe(miss.input_tokens);
      expect(got.reference_cost_usd).toBeCloseTo(miss.reference_cost_usd as number, 12);
      const usage = (await (await fetch(`${stack.url}/admin/v1/usage?tenant=${t.ids.b}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as {
        totals: { cache_hits: number; cache_saved_usd: number };
      };
      expect(usage.totals.cache_hits).toBeGreaterThanOrEqual(1);
      expect(usage.totals.cache_saved_usd).toBeGreaterThan(0);
      const metrics = await (await fetch(`${stack.url}/metrics`)).text();
      expect(metrics).toMatch(/switchyard_cache_requests_total\{result="hit"\} [1-9]/);
      expect(metrics).toMatch(/switchyard_cache_saved_usd_total [0-9.e-]+/);
      expect(metrics).toMatch(/switchyard_cache_lookup_seconds_count\{kind="exact"\} [1-9]/);
    });

    it("charges a hit nothing against the tenant's tokens per minute and budget (hitCharge 0)", async () => {
      type Counter = { kind: string; used: number };
      const used = async (): Promise<Record<string, number>> => {
        // True-ups are gathered for 50 ms before they are sent.
        await new Promise((r) => setTimeout(r, 300));
        const res = await fetch(`${stack.url}/admin/v1/tenants/${t.ids.b}/limits`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
        const body = (await res.json()) as { counters: Counter[] };
        return Object.fromEntries(body.counters.map((c) => [c.kind, c.used]));
      };
      const prompt = { ...ask(`limits and hits ${label}`, { temperature: 0 }), model: 'chat-cloud' };
      const before = await used();
      await (await post(stack, t.keys.b, prompt)).text();
      const afterMiss = await used();
      expect(afterMiss.tpm).toBeGreaterThan(before.tpm);
      expect(afterMiss.dailyUsd).toBeGreaterThan(before.dailyUsd);
      for (let i = 0; i < 3; i++) {
        const hit = await post(stack, t.keys.b, prompt);
        expect(hit.headers.get('x-switchyard-cache')).toBe('hit');
        await hit.text();
      }
      const afterHits = await used();
      expect(afterHits.tpm).toBe(afterMiss.tpm);
      expect(afterHits.dailyUsd).toBeCloseTo(afterMiss.dailyUsd, 9);
    });

    it('purges by tenant through the admin API, and only that tenant', async () => {
      const prompt = ask('purge me', { temperature: 0 });
      for (const k of ['a', 'b']) {
        await (await post(stack, t.keys[k], prompt)).text();
        expect((await post(stack, t.keys[k], prompt)).headers.get('x-switchyard-cache')).toBe('hit');
      }
      const res = await fetch(`${stack.url}/admin/v1/cache?tenant=${t.ids.a}&model=chat`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { entries: number; tenant: string };
      expect(body.tenant).toBe(t.ids.a);
      expect(body.entries).toBeGreaterThan(0);
      expect((await post(stack, t.keys.a, prompt)).headers.get('x-switchyard-cache')).toBe('miss');
      expect((await post(stack, t.keys.b, prompt)).headers.get('x-switchyard-cache')).toBe('hit');
    });
  });
}

exactSuite('memory', undefined);
exactSuite('redis', REDIS_URL);

describe(`response cache, near matches (${testDatabaseName})`, () => {
  let db: Database;
  let stack: Stack;
  let t: Tenants;

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db);
    t = await makeTenants(db, 'semantic', { a: undefined, b: undefined });
    stack = await startStack(spec(db));
  });

  afterAll(async () => {
    await stack?.close();
    if (db) await closeTestDatabase(db);
  });

  const sem = (content: string, history: { role: string; content: string }[] = []) => ({
    model: 'chat-sem',
    temperature: 0,
    messages: [...history, { role: 'user', content }],
  });

  it('answers a paraphrase from the cache with its score, and not a near miss', async () => {
    const first = await post(stack, t.keys.a, sem('What is the capital of France?'));
    expect(first.headers.get('x-switchyard-cache')).toBe('miss');
    const firstBody = await first.text();
    const para = await post(stack, t.keys.a, sem('Tell me the capital of France.'));
    expect(para.headers.get('x-switchyard-cache')).toMatch(/^hit;semantic;score=(0\.9[2-9]\d*|1\.000)$/);
    expect(await para.text()).toBe(firstBody);
    const other = await post(stack, t.keys.a, sem('What is the capital of Germany?'));
    expect(other.headers.get('x-switchyard-cache')).toBe('miss');
    const negated = await post(stack, t.keys.a, sem('What is not the capital of France?'));
    expect(negated.headers.get('x-switchyard-cache')).toBe('miss');
  });

  it('keeps near matches within a tenant, and within the same earlier turns', async () => {
    await (await post(stack, t.keys.a, sem('How do I reset my password?'))).text();
    const before = inferenceCalls(stack.fakes.local).filter((r) => r.path.includes('chat')).length;
    const b = await post(stack, t.keys.b, sem('How do I reset my password?'));
    expect(b.headers.get('x-switchyard-cache')).toBe('miss');
    expect(inferenceCalls(stack.fakes.local).filter((r) => r.path.includes('chat')).length - before).toBe(1);
    const h1 = [
      { role: 'user', content: 'I bank with the savings account.' },
      { role: 'assistant', content: 'Noted.' },
    ];
    const h2 = [
      { role: 'user', content: 'I bank with the checking account.' },
      { role: 'assistant', content: 'Noted.' },
    ];
    expect((await post(stack, t.keys.a, sem('What is my balance?', h1))).headers.get('x-switchyard-cache')).toBe('miss');
    expect((await post(stack, t.keys.a, sem('What is my balance?', h2))).headers.get('x-switchyard-cache')).toBe('miss');
    expect((await post(stack, t.keys.a, sem('what is my balance', h1))).headers.get('x-switchyard-cache')).toMatch(/^hit;semantic/);
  });
});

describe('response cache with Redis unreachable', () => {
  let db: Database;
  let stack: Stack;
  let proxy: TcpProxy;
  let key: string;

  beforeAll(async () => {
    const url = new URL(REDIS_URL);
    proxy = await startTcpProxy(url.hostname, Number(url.port || 6379));
    db = await openTestDatabase();
    await migrate(db);
    key = (await makeTenants(db, 'cache-fault', { a: undefined })).keys.a;
    stack = await startStack(spec(db, { redisUrl: `redis://127.0.0.1:${proxy.port}`, redisPrefix: `sy-test-cache-fault-${Date.now()}` }));
  });

  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
    if (db) await closeTestDatabase(db);
  });

  it('degrades to bypass while Redis is away, fails no request, and hits again once it is back', async () => {
    const prompt = ask('survive the outage', { temperature: 0 });
    expect((await post(stack, key, prompt)).headers.get('x-switchyard-cache')).toBe('miss');
    expect((await post(stack, key, prompt)).headers.get('x-switchyard-cache')).toBe('hit');
    await proxy.cut();
    for (let i = 0; i < 5; i++) {
      const res = await post(stack, key, prompt);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-switchyard-cache')).toBe('bypass');
      await res.text();
    }
    await proxy.restore();
    const deadline = Date.now() + 10_000;
    let header: string | null = null;
    while (Date.now() < deadline && header !== 'hit') {
      const res = await post(stack, key, prompt);
      expect(res.status).toBe(200);
      header = res.headers.get('x-switchyard-cache');
      await res.text();
      if (header !== 'hit') await new Promise((r) => setTimeout(r, 200));
    }
    expect(header).toBe('hit');
  });
});
