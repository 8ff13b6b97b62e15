import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import OpenAI from 'openai';
import type { Client } from 'pg';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import { buildIfStale, startGatewayProcess, type GatewayProcess } from './support/gateway-process';
import { connectPostgres, connectRedis, createScratchDatabase, dropScratchStores } from './support/scratch-stores';
import { ADMIN_KEY } from './support/stack';

// Three gateway OS processes (the build `npm start` runs) on one Redis and one PostgreSQL database,
// as three replicas run: nothing shared but what they share in production. Under bounded
// concurrent load spread over the three, a tenant's requests per minute are admitted no more
// than its limit and its budget is overspent by no more than one request's estimate; a key
// revoked, rotated or suspended through one process's admin API is refused by the other two
// within 5 s (at once, in fact: the change is published on Redis).
// Needs PostgreSQL and Redis: DATABASE_URL and REDIS_URL, or the local defaults. PGlite cannot be
// shared between processes. Without either this suite fails, saying so. Each run has a database
// of its own, dropped afterwards, and a Redis prefix of its own.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET = 'limits-processes-e2e-server-secret-0123456789';
/** USD per 1M tokens: 100 micro-USD a token, so budgets in cents hold a few requests. */
const PRICE = { input: 100, output: 100 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

describe(`three gateway processes on one Redis (${REDIS_URL}) and one PostgreSQL (${new URL(DATABASE_URL).host})`, () => {
  const run = randomUUID().replaceAll('-', '').slice(0, 12);
  const database = `sy_procs_${run}`;
  const prefix = `switchyard-test-procs-${run}`;
  let redis: Redis;
  let pg: Client;
  let fake: FakeLlm;
  let gateways: GatewayProcess[] = [];
  const issued: string[] = [];

  beforeAll(async () => {
    redis = await connectRedis(REDIS_URL);
    pg = await connectPostgres(DATABASE_URL);
    const databaseUrl = await createScratchDatabase(pg, DATABASE_URL, database);
    await buildIfStale();
    fake = await startFakeLlm({ protocol: 'openai', models: ['m'] });
    const config = {
      backends: [{ name: 'cloud', protocol: 'openai', tier: 'cloud', baseUrl: fake.baseUrl, apiKey: 'sk-test', price: PRICE, models: ['m'] }],
      policy: { health: { intervalMs: 60000 } },
    };
    const env = { DATABASE_URL: databaseUrl, REDIS_URL, SWITCHYARD_REDIS_PREFIX: prefix, SWITCHYARD_SECRET: SECRET };
    // Together, on a database nobody has migrated yet: the migration lock decides which one does.
    const started = await Promise.allSettled([0, 1, 2].map(() => startGatewayProcess({ config, env })));
    gateways = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    for (const s of started) if (s.status === 'rejected') throw s.reason;
  }, 300_000);

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await fake?.close();
    await dropScratchStores({ pg, database, redis, prefix });
  });

  async function admin(g: GatewayProcess, method: string, path: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_KEY}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${g.url}/admin/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text.length > 0 ? JSON.parse(text) : undefined };
  }

  /** A tenant made through the first process's admin API, with one key. */
  async function tenantKey(grants: Record<string, unknown> = {}): Promise<{ tenantId: string; keyId: string; key: string }> {
    const tenant = await admin(gateways[0], 'POST', '/tenants', { name: `t-${randomUUID().slice(0, 8)}`, ...grants });
    expect(tenant.status).toBe(201);
    const key = await admin(gateways[0], 'POST', `/tenants/${tenant.body.id as string}/keys`, { name: 'ci' });
    expect(key.status).toBe(201);
    issued.push(key.body.key as string);
    return { tenantId: tenant.body.id as string, keyId: key.body.id as string, key: key.body.key as string };
  }

  const hello = { model: 'm', messages: [{ role: 'user' as const, content: 'hello there' }], max_tokens: 20 };
  const client = (g: GatewayProcess, key: string) => new OpenAI({ apiKey: key, baseURL: g.baseURL, maxRetries: 0 });
  const chat = async (g: GatewayProcess, key: string) => (await client(g, key).chat.completions.create(hello).withResponse()).response.status;
  /** The status a chat call under `key` got (the SDK throws on anything but 2xx). */
  async function status(g: GatewayProcess, key: string): Promise<number> {
    try {
      return await chat(g, key);
    } catch (err) {
      if (err instanceof OpenAI.APIError) return err.status ?? 0;
      throw err;
    }
  }

  /**
   * Runs up to `total` calls, `concurrency` at a time, round robin over the processes, for at
   * most 50 s (inside one rate-limit window); the calls' outcomes.
   */
  async function load(total: number, concurrency: number, call: (g: GatewayProcess) => Promise<unknown>) {
    let next = 0;
    let ok = 0;
    const errors: InstanceType<typeof OpenAI.APIError>[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total && Date.now() - started < 50_000) {
          const g = gateways[next++ % gateways.length];
          try {
            await call(g);
            ok++;
          } catch (err) {
            if (!(err instanceof OpenAI.APIError)) throw err;
            errors.push(err);
          }
        }
      }),
    );
    return { ok, errors, calls: next };
  }

  it('admits no more than the tenant rpm under concurrent load over the three processes, and answers the rest 429', async () => {
    const rpm = 60;
    const t = await tenantKey({ limits: { rpm } });
    const { ok, errors, calls } = await load(240, 24, (g) => client(g, t.key).chat.completions.create(hello));
    expect(calls).toBe(240);
    // The issue allows the limit + 1% per window; the script is exact.
    expect(ok).toBeLessThanOrEqual(Math.floor(rpm * 1.01));
    expect(ok).toBe(rpm);
    expect(errors).toHaveLength(240 - rpm);
    for (const e of errors) expect([e.status, e.code]).toEqual([429, 'rate_limit_exceeded']);
    // Every process counted into the same window: any of them reports it.
    const limits = await admin(gateways[2], 'GET', `/tenants/${t.tenantId}/limits`);
    expect(limits.body.counters).toEqual([expect.objectContaining({ scope: 'tenant', kind: 'rpm', limit: rpm, used: rpm, remaining: 0 })]);
  });

  it('never overspends a budget by more than one request’s estimate under concurrent load over the three processes', async () => {
    const dailyUsd = 0.02;
    const t = await tenantKey({ budgets: { dailyUsd, monthlyUsd: 5 } });
    let usedTokens = 0;
    const { ok, errors } = await load(150, 24, async (g) => {
      const usage = (await client(g, t.key).chat.completions.create(hello)).usage!;
      usedTokens += usage.prompt_tokens + usage.completion_tokens;
    });
    expect(ok).toBeGreaterThan(5);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect([e.status, e.code]).toEqual([429, 'budget_exceeded']);
    // True-ups land a moment after each answer; then the counter holds what was really spent.
    let spent = NaN;
    for (let i = 0; i < 50; i++) {
      const limits = await admin(gateways[1], 'GET', `/tenants/${t.tenantId}/limits`);
      spent = Math.round((limits.body.counters as { kind: string; used: number }[]).find((c) => c.kind === 'dailyUsd')!.used * 1e6);
      if (spent === usedTokens * 100) break;
      await sleep(100);
    }
    expect(spent).toBe(usedTokens * 100);
    // One request's estimate: its prompt by characters (this tenant has no token limit: 4 a token,
    // 4 a message) and all of max_tokens, at 100 micro-USD a token.
    const estimate = (Math.ceil('hello there'.length / 4) + 4 + hello.max_tokens) * 100;
    expect(spent).toBeLessThanOrEqual(dailyUsd * 1e6 + estimate);
  });

  /**
   * How long after `change` (made on the first process) the key stops working on the other two,
   * each of which accepted it just before: bounded by 5 s of polling each.
   */
  async function refusedElsewhereAfter(key: string, change: () => Promise<void>): Promise<number[]> {
    for (const g of gateways) expect(await status(g, key)).toBe(200);
    await change();
    const changedAt = Date.now();
    return Promise.all(
      gateways.slice(1).map(async (g) => {
        while (Date.now() - changedAt <= 5_000) {
          if ((await status(g, key)) === 401) return Date.now() - changedAt;
          await sleep(25);
        }
        return Infinity;
      }),
    );
  }

  it('refuses a key revoked on one process on the other two within 5 s', async () => {
    const t = await tenantKey();
    const took = await refusedElsewhereAfter(t.key, async () => {
      expect((await admin(gateways[0], 'DELETE', `/keys/${t.keyId}`)).status).toBe(200);
    });
    for (const ms of took) expect(ms).toBeLessThanOrEqual(5_000);
    // Published on Redis, it arrives at once; the key cache's own expiry (4 s after each process
    // accepted the key, a moment ago) would take seconds.
    for (const ms of took) expect(ms).toBeLessThan(1_000);
  });

  it('refuses a rotated-out key on the other two processes within 5 s, and takes its new secret there', async () => {
    const t = await tenantKey();
    let fresh = '';
    const took = await refusedElsewhereAfter(t.key, async () => {
      const rotation = await admin(gateways[0], 'POST', `/keys/${t.keyId}/rotate`);
      expect(rotation.status).toBe(200);
      fresh = rotation.body.key as string;
      issued.push(fresh);
    });
    for (const ms of took) expect(ms).toBeLessThan(1_000);
    for (const g of gateways) expect(await status(g, fresh)).toBe(200);
  });

  it("refuses a suspended tenant's key on the other two processes within 5 s, and takes it again once reactivated", async () => {
    const t = await tenantKey();
    const took = await refusedElsewhereAfter(t.key, async () => {
      expect((await admin(gateways[0], 'PATCH', `/tenants/${t.tenantId}`, { status: 'suspended' })).status).toBe(200);
    });
    for (const ms of took) expect(ms).toBeLessThan(1_000);
    expect((await admin(gateways[0], 'PATCH', `/tenants/${t.tenantId}`, { status: 'active' })).status).toBe(200);
    // A refused key is not looked up again for a second on each process.
    for (const g of gateways.slice(1)) {
      let back = 0;
      for (let i = 0; i < 50 && back !== 200; i++) {
        back = await status(g, t.key);
        if (back !== 200) await sleep(100);
      }
      expect(back).toBe(200);
    }
  });

  it('wrote no issued key into any process’s logs', () => {
    expect(issued.length).toBeGreaterThan(0);
    for (const g of gateways) for (const key of issued) expect(g.output()).not.toContain(key);
  });
});
