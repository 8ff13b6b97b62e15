import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import type { RequestOutcome } from '@switchyard/contracts';
import { LEDGER_SINK, SqlLedgerSink, type Database, type LedgerSink } from '@switchyard/store';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../libs/store/src/sql/test-database';
import { ADMIN_KEY, startStack, type Stack, type StackSpec } from './support/stack';

// The usage and request-record API over real HTTP, on a gateway with a real database: records
// are written through the gateway's own ledger sink, then read back as a tenant (/v1/usage) and
// as the admin (/admin/v1/usage, /admin/v1/requests).

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

const BACKENDS: Pick<StackSpec, 'backends' | 'models'> = {
  backends: [{ name: 'local', protocol: 'openai', models: ['m1'] }],
  models: [{ name: 'chat', targets: [{ backend: 'local', model: 'm1' }] }],
};

async function get(stack: Stack, path: string, key: string = ADMIN_KEY): Promise<Answer> {
  const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, headers: res.headers, body: json ? JSON.parse(text) : undefined, text };
}

const HOUR = 3_600_000;
// Three days ago, on the hour: the seeded records sit in a window of their own, away from any
// request made while the test runs.
const BASE = Math.floor((Date.now() - 3 * 24 * HOUR) / HOUR) * HOUR;
const WINDOW = `since=${new Date(BASE - HOUR).toISOString()}&until=${new Date(BASE + 30 * HOUR).toISOString()}`;

describe(`the usage API on ${testDatabaseName}`, () => {
  let db: Database;
  let stack: Stack;
  const run = randomUUID().slice(0, 8);
  const chat = `chat-${run}`;
  const embed = `embed-${run}`;
  const tenants: Record<'a' | 'b', { id: string; name: string; key: string; keyId: string }> = {} as never;
  const records: RequestOutcome[] = [];

  const record = (t: 'a' | 'b', n: number, over: Partial<RequestOutcome>): RequestOutcome => {
    const r: RequestOutcome = {
      requestId: `${run}-${t}-${String(n).padStart(3, '0')}`,
      startedAt: BASE + n * 60_000,
      principal: { tenantId: tenants[t].id, keyId: tenants[t].keyId, scopes: ['inference'] },
      method: 'POST',
      endpoint: '/v1/chat/completions',
      model: chat,
      route: 'chat',
      backend: 'local',
      tier: 'local',
      attempts: [{ backend: 'local', model: 'm1', outcome: 'ok', status: 200, ms: 20 }],
      status: 200,
      inputTokens: 100,
      outputTokens: 20,
      streamed: false,
      ttftMs: 8,
      latencyMs: 25,
      pii: [],
      costUsd: 0,
      referenceCostUsd: 0.004,
      ...over,
    };
    records.push(r);
    return r;
  };

  beforeAll(async () => {
    db = await openTestDatabase();
    stack = await startStack({ ...BACKENDS, database: db });
    for (const t of ['a', 'b'] as const) {
      const name = `usage-${t}-${run}`;
      const made = await fetch(`${stack.url}/admin/v1/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      const tenant = (await made.json()) as { id: string };
      const issued = await fetch(`${stack.url}/admin/v1/tenants/${tenant.id}/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'usage' }),
      });
      const key = (await issued.json()) as { id: string; key: string };
      tenants[t] = { id: tenant.id, name, key: key.key, keyId: key.id };
    }

    // Tenant A: 10 local chat requests (one of them failed), 4 cloud chat, 3 cloud embeddings a day later.
    for (let n = 0; n < 10; n++) record('a', n, n === 9 ? { status: 502, errorCode: 'upstream_error', outputTokens: 0 } : {});
    for (let n = 10; n < 14; n++) record('a', n, { backend: 'cloud', tier: 'cloud', costUsd: 0.003, referenceCostUsd: 0.003 });
    for (let n = 0; n < 3; n++)
      record('a', 24 * 60 + n, {
        model: embed,
        endpoint: '/v1/embeddings',
        backend: 'cloud',
        tier: 'cloud',
        outputTokens: 0,
        costUsd: 0.0001,
        referenceCostUsd: 0.0001,
      });
    // Tenant B: 5 cloud chat requests, dearer.
    // Its first request id is a client's own, with a slash.
    for (let n = 0; n < 5; n++) {
      const requestId = n === 0 ? `client/${run}` : `${run}-b-${n}`;
      record('b', n, { requestId, backend: 'cloud', tier: 'cloud', inputTokens: 1000, outputTokens: 500, costUsd: 0.05, referenceCostUsd: 0.05 });
    }

    const sink = stack.app.get<LedgerSink>(LEDGER_SINK);
    expect(sink).toBeInstanceOf(SqlLedgerSink);
    await sink.write(records);
    await sink.flush();
  });
  afterAll(async () => {
    await stack.close();
    await closeTestDatabase(db);
  });

  it('gives a tenant its own usage by model on /v1/usage: totals, savings and local share', async () => {
    const res = await get(stack, `/v1/usage?${WINDOW}&group_by=model`, tenants.a.key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'usage', group_by: ['model'], tenant_id: tenants.a.id });
    expect(res.body.since).toBe(new Date(BASE - HOUR).toISOString());
    const rows = res.body.data as { group: { model: string }; requests: number }[];
    expect(rows.map((r) => r.group)).toEqual([{ model: chat }, { model: embed }]);
    expect(rows[0]).toMatchObject({ requests: 14, errors: 1, input_tokens: 1400, output_tokens: 260, cost_usd: 0.012, reference_cost_usd: 0.052 });
    expect(rows[0]).toMatchObject({ savings_usd: 0.04, local_requests: 10, local_share: 10 / 14, local_tokens: 1180, local_token_share: 1180 / 1660 });
    expect(res.body.totals).toMatchObject({
      requests: 17,
      errors: 1,
      input_tokens: 1700,
      output_tokens: 260,
      cost_usd: 0.0123,
      reference_cost_usd: 0.0523,
      savings_usd: 0.04,
    });
    expect(res.body.totals.local_share).toBeCloseTo(10 / 17, 12);
  });

  it('groups by day and model together, time first, and by tier', async () => {
    const byDay = await get(stack, `/v1/usage?${WINDOW}&group_by=day,model`, tenants.a.key);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(byDay.body.data.map((r: { group: object; requests: number }) => [r.group, r.requests])).toEqual([
      [{ day: day(BASE), model: chat }, 14],
      [{ day: day(BASE + 24 * HOUR), model: embed }, 3],
    ]);
    const byTier = await get(stack, `/v1/usage?${WINDOW}&group_by=tier`, tenants.a.key);
    expect(byTier.body.data.map((r: { group: object; requests: number; cost_usd: number }) => [r.group, r.requests, r.cost_usd])).toEqual([
      [{ tier: 'cloud' }, 7, 0.0123],
      [{ tier: 'local' }, 10, 0],
    ]);
  });

  it('answers the same through the OpenAI SDK, and its errors are OpenAI errors naming the parameter', async () => {
    const client = new OpenAI({ apiKey: tenants.b.key, baseURL: stack.baseURL, maxRetries: 0 });
    const usage = await client.get<{ totals: { requests: number; cost_usd: number; savings_usd: number; local_share: number } }>('/usage', {
      query: { since: new Date(BASE - HOUR).toISOString(), until: new Date(BASE + 30 * HOUR).toISOString() },
    });
    expect(usage.totals).toEqual(expect.objectContaining({ requests: 5, cost_usd: 0.25, savings_usd: 0, local_share: 0 }));
    await expect(client.get('/usage', { query: { group_by: 'tenant' } })).rejects.toMatchObject({
      status: 400,
      param: 'group_by',
      type: 'invalid_request_error',
    });
  });

  it("never shows one tenant another's usage or requests; the admin sees both", async () => {
    const b = await get(stack, `/v1/usage?${WINDOW}&group_by=model,key`, tenants.b.key);
    expect(b.body.data).toEqual([expect.objectContaining({ group: { model: chat, key: tenants.b.keyId }, requests: 5 })]);
    const a = await get(stack, `/v1/usage?${WINDOW}&group_by=key`, tenants.a.key);
    expect(a.body.data.map((r: { group: { key: string } }) => r.group.key)).toEqual([tenants.a.keyId]);

    const all = await get(stack, `/admin/v1/usage?${WINDOW}&group_by=tenant`);
    expect(all.status).toBe(200);
    const mine = all.body.data.filter((r: { group: { tenant: string } }) => r.group.tenant === tenants.a.id || r.group.tenant === tenants.b.id);
    expect(mine.map((r: { group: object; requests: number }) => [r.group, r.requests])).toEqual([
      [{ tenant: tenants.b.id }, 5],
      [{ tenant: tenants.a.id }, 17],
    ]);
    const byName = await get(stack, `/admin/v1/usage?${WINDOW}&tenant=${tenants.b.name}`);
    expect(byName.body).toMatchObject({ tenant_id: tenants.b.id, totals: { requests: 5, cost_usd: 0.25 } });
    const byId = await get(stack, `/admin/v1/usage?${WINDOW}&tenant=${tenants.a.id}&group_by=model`);
    expect(byId.body.totals.requests).toBe(17);

    // A tenant key has no way to the admin views.
    expect((await get(stack, `/admin/v1/usage?${WINDOW}`, tenants.a.key)).status).toBe(403);
    expect((await get(stack, `/admin/v1/requests/${records[0].requestId}`, tenants.b.key)).status).toBe(403);
  });

  it('exports CSV: a header row and one row per group, no totals', async () => {
    const res = await get(stack, `/admin/v1/usage?${WINDOW}&tenant=${tenants.a.id}&group_by=tier,model&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'tier,model,requests,errors,input_tokens,output_tokens,cost_usd,reference_cost_usd,savings_usd,local_requests,local_tokens,local_share,local_token_share,cache_hits,cache_saved_usd',
    );
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4))).toEqual([
      ['cloud', chat, '4', '0'],
      ['cloud', embed, '3', '0'],
      ['local', chat, '10', '1'],
    ]);
    const tenantCsv = await get(stack, `/v1/usage?${WINDOW}&format=csv`, tenants.b.key);
    expect(tenantCsv.text.trimEnd().split('\r\n')).toHaveLength(2);
  });

  it("shows one request's full record, attempts included", async () => {
    const failed = records.find((r) => r.status === 502)!;
    const res = await get(stack, `/admin/v1/requests/${failed.requestId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      request_id: failed.requestId,
      created_at: new Date(failed.startedAt).toISOString(),
      tenant_id: tenants.a.id,
      key_id: tenants.a.keyId,
      method: 'POST',
      endpoint: '/v1/chat/completions',
      status: 502,
      error_code: 'upstream_error',
      model: chat,
      route: 'chat',
      backend: 'local',
      tier: 'local',
      attempts: [{ backend: 'local', model: 'm1', outcome: 'ok', status: 200, ms: 20 }],
      input_tokens: 100,
      output_tokens: 0,
      tokens_counted: false,
      cost_usd: 0,
      reference_cost_usd: 0.004,
      ttft_ms: 8,
      latency_ms: 25,
      streamed: false,
      pii_categories: [],
      user: null,
      tags: [],
      trace_id: null,
      cache: null,
      cache_saved_usd: null,
      capture: null,
    });
    // A client's own x-request-id may hold a slash: escaped in the path, it is found.
    const slashed = records.find((r) => r.requestId.includes('/'))!;
    expect((await get(stack, `/admin/v1/requests/${encodeURIComponent(slashed.requestId)}`)).body).toMatchObject({ request_id: slashed.requestId });
    const missing = await get(stack, '/admin/v1/requests/no-such-request');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 404, code: 'request_not_found' });
  });

  it("pages through a tenant's requests newest first, by cursor, and filters by status", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res: Answer = await get(stack, `/admin/v1/requests?tenant=${tenants.a.name}&${WINDOW}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(5);
      seen.push(...res.body.data.map((r: { request_id: string }) => r.request_id));
      cursor = res.body.next_cursor as string | null;
      if (cursor === null) break;
    }
    const expected = records
      .filter((r) => r.principal?.tenantId === tenants.a.id)
      .sort((x, y) => y.startedAt - x.startedAt)
      .map((r) => r.requestId);
    expect(seen).toEqual(expected);

    const failed = await get(stack, `/admin/v1/requests?tenant=${tenants.a.id}&status=502&${WINDOW}`);
    expect(failed.body).toMatchObject({ object: 'list', next_cursor: null });
    expect(failed.body.data.map((r: { request_id: string }) => r.request_id)).toEqual([`${run}-a-009`]);
  });

  it('defaults to the last 30 days up to now', async () => {
    const res = await get(stack, '/v1/usage?group_by=model', tenants.a.key);
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.until) - Date.parse(res.body.since)).toBeGreaterThanOrEqual(30 * 24 * HOUR);
    expect(res.body.data.filter((r: { group: { model: string } }) => r.group.model === chat || r.group.model === embed)).toHaveLength(2);
    const recent = await get(stack, '/v1/usage?since=24h', tenants.a.key);
    expect(recent.body.data).toEqual([expect.objectContaining({ group: {} })]);
    expect(recent.body.totals.requests).toBeLessThan(17);
  });

  it('refuses bad parameters with 400 naming them: OpenAI errors on /v1, problem details on /admin', async () => {
    for (const [query, param] of [
      ['group_by=tenant', 'group_by'],
      ['group_by=model,colour', 'group_by'],
      ['since=yesterday', 'since'],
      ['until=2026-13-45', 'until'],
      [`since=${new Date(BASE).toISOString()}&until=${new Date(BASE - HOUR).toISOString()}`, 'since'],
      ['format=xml', 'format'],
      ['since=7d&since=8d', 'since'],
    ]) {
      const res = await get(stack, `/v1/usage?${query}`, tenants.a.key);
      expect([query, res.status, res.body.error?.param, res.body.error?.type]).toEqual([query, 400, param, 'invalid_request_error']);
    }
    for (const [path, field] of [
      ['/admin/v1/usage?group_by=colour', 'group_by'],
      ['/admin/v1/requests?limit=0', 'limit'],
      ['/admin/v1/requests?limit=5000', 'limit'],
      ['/admin/v1/requests?status=abc', 'status'],
      ['/admin/v1/requests?cursor=not-a-cursor', 'cursor'],
      ['/admin/v1/requests?since=soon', 'since'],
    ]) {
      const res = await get(stack, path);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect([path, res.body.errors?.[0]?.field]).toEqual([path, field]);
    }
    const unknown = await get(stack, '/admin/v1/usage?tenant=no-such-tenant');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'tenant_not_found' });
  });
});

describe('the usage API without a database', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(BACKENDS);
  });
  afterAll(() => stack.close());

  it('answers 503, in each door’s dialect: there is no ledger to read', async () => {
    const v1 = await get(stack, '/v1/usage');
    expect(v1.status).toBe(503);
    expect(v1.body.error).toMatchObject({ code: 'database_unavailable' });
    const admin = await get(stack, '/admin/v1/usage');
    expect(admin.status).toBe(503);
    expect(admin.body).toMatchObject({ status: 503, code: 'database_unavailable' });
  });
});
