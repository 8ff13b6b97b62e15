import { randomUUID } from 'node:crypto';
import type { Database } from '@switchyard/store';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../libs/store/src/sql/test-database';
import { ADMIN_KEY, startStack, type Stack, type StackSpec } from './support/stack';

// The admin API over real HTTP with a real database (embedded PGlite, or PostgreSQL with
// DATABASE_URL): tenants and keys made here are used on /v1 at once and stop working when revoked,
// rotated out, expired or suspended.

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

/** Every answer body the tests saw, to search for secrets at the end. */
const seen: string[] = [];

async function call(stack: Stack, method: string, path: string, body?: unknown, key: string | null = ADMIN_KEY): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${stack.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  seen.push(text);
  return { status: res.status, headers: res.headers, body: text.length > 0 ? JSON.parse(text) : undefined, text };
}

function chat(stack: Stack, key: string): Promise<Answer> {
  return call(stack, 'POST', '/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'hi' }] }, key);
}

/** Polls until `check` holds, within `ms`: how long a change takes to reach a cached key. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - start;
}

function expectProblem(answer: Answer, status: number, code: string): void {
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.body).toMatchObject({ type: `urn:switchyard:problem:${code}`, status, code });
  expect(typeof answer.body.title).toBe('string');
  expect(typeof answer.body.detail).toBe('string');
}

describe(`the admin API, /admin/v1, on ${testDatabaseName}`, () => {
  let db: Database;
  let stack: Stack;
  const issuedKeys: string[] = [];
  const unique = (what: string) => `${what}-${randomUUID().slice(0, 8)}`;

  async function tenant(body: Record<string, unknown> = {}): Promise<Record<string, string>> {
    const res = await call(stack, 'POST', '/admin/v1/tenants', { name: unique('team'), ...body });
    expect(res.status).toBe(201);
    return res.body as Record<string, string>;
  }

  async function key(tenantId: string, body: Record<string, unknown> = {}): Promise<{ id: string; key: string; prefix: string }> {
    const res = await call(stack, 'POST', `/admin/v1/tenants/${tenantId}/keys`, { name: unique('key'), ...body });
    expect(res.status).toBe(201);
    issuedKeys.push(res.body.key as string);
    return res.body as { id: string; key: string; prefix: string };
  }

  beforeAll(async () => {
    db = await openTestDatabase();
    stack = await startStack({ ...BACKENDS, database: db });
  });
  afterAll(async () => {
    await stack.close();
    await closeTestDatabase(db);
  });

  it('creates, reads, lists, changes and deletes a tenant, with the contract’s field names', async () => {
    const name = unique('acme');
    const created = await call(stack, 'POST', '/admin/v1/tenants', {
      name,
      allowedModels: ['chat*'],
      privacy: { onPii: 'local-only' },
      limits: { rpm: 600, tpm: 200000 },
      budgets: { dailyUsd: 50, monthlyUsd: 500 },
      metadata: { team: 'search' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name,
      status: 'active',
      allowedModels: ['chat*'],
      privacy: { onPii: 'local-only' },
      limits: { rpm: 600, tpm: 200000 },
      budgets: { dailyUsd: 50, monthlyUsd: 500 },
      metadata: { team: 'search' },
    });
    const id = created.body.id as string;
    expect(id).toMatch(/^tnt_/);

    expect((await call(stack, 'GET', `/admin/v1/tenants/${id}`)).body).toEqual(created.body);
    const list = await call(stack, 'GET', '/admin/v1/tenants?limit=1000');
    expect(list.status).toBe(200);
    expect((list.body.data as { id: string }[]).map((t) => t.id)).toContain(id);
    const firstPage = await call(stack, 'GET', '/admin/v1/tenants?limit=1');
    expect(firstPage.body.data).toHaveLength(1);
    const secondPage = await call(stack, 'GET', `/admin/v1/tenants?limit=1&after=${firstPage.body.next as string}`);
    expect(secondPage.body.data[0].id).not.toBe(firstPage.body.data[0].id);

    const changed = await call(stack, 'PATCH', `/admin/v1/tenants/${id}`, { limits: { rpm: 60 }, allowedModels: null });
    expect(changed.status).toBe(200);
    expect(changed.body.limits).toEqual({ rpm: 60 });
    expect(changed.body).not.toHaveProperty('allowedModels');
    expect(changed.body.budgets).toEqual({ dailyUsd: 50, monthlyUsd: 500 });

    const deleted = await call(stack, 'DELETE', `/admin/v1/tenants/${id}`);
    expect(deleted.status).toBe(204);
    const gone = await call(stack, 'GET', `/admin/v1/tenants/${id}`);
    expect(gone.status).toBe(404);
    expectProblem(gone, 404, 'tenant_not_found');
    expect(gone.body).toMatchObject({ title: 'Not Found', instance: `/admin/v1/tenants/${id}` });
    expect(gone.body.detail).toContain(id);
  });

  it('answers a bad body with 400 problem details naming every bad field', async () => {
    const bad = await call(stack, 'POST', '/admin/v1/tenants', { name: 'no spaces allowed', limits: { rpm: 0, tpm: 'many' }, allowed_models: ['chat*'] });
    expect(bad.status).toBe(400);
    expectProblem(bad, 400, 'validation_failed');
    const fields = (bad.body.errors as { field: string; message: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['allowed_models', 'limits.rpm', 'limits.tpm', 'name']);
    expect(bad.body.errors).toContainEqual({ field: 'limits.rpm', message: 'must not be less than 1' });
    expect(bad.body.errors).toContainEqual({ field: 'allowed_models', message: 'should not exist' });

    const missing = await call(stack, 'POST', '/admin/v1/tenants', {});
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['name']);

    const t = await tenant();
    const nulls = await call(stack, 'PATCH', `/admin/v1/tenants/${t.id}`, { name: null, status: 'paused', privacy: { onPii: 'sometimes' } });
    expect(nulls.status).toBe(400);
    expect(nulls.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'privacy.onPii', 'status']);

    const past = await call(stack, 'POST', `/admin/v1/tenants/${t.id}/keys`, { name: 'old', expiresAt: '2001-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([{ field: 'expiresAt', message: 'must be in the future' }]);
    const grace = await call(stack, 'POST', '/admin/v1/keys/key_x/rotate', { gracePeriodSeconds: -1 });
    expect(grace.status).toBe(400);
    expect(grace.body.errors[0].field).toBe('gracePeriodSeconds');

    const array = await call(stack, 'POST', '/admin/v1/tenants', [{ name: 'a' }]);
    expect(array.status).toBe(400);
    expect(array.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const res = await fetch(`${stack.url}/admin/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { status: number }).status).toBe(400);

    const limit = await call(stack, 'GET', '/admin/v1/tenants?limit=0');
    expect(limit.status).toBe(400);
    expect(limit.body.errors).toEqual([{ field: 'limit', message: 'must be an integer from 1 to 1000' }]);
  });

  it('answers 409 to a taken tenant name or live key name, and 404 to unknown ids', async () => {
    const a = await tenant();
    const b = await tenant();
    const again = await call(stack, 'POST', '/admin/v1/tenants', { name: a.name });
    expect(again.status).toBe(409);
    expectProblem(again, 409, 'tenant_name_taken');
    expect((await call(stack, 'PATCH', `/admin/v1/tenants/${b.id}`, { name: a.name })).status).toBe(409);
    expect((await call(stack, 'POST', '/admin/v1/tenants', { name: 'admin' })).status).toBe(409);

    const ci = await key(a.id, { name: 'ci' });
    const twin = await call(stack, 'POST', `/admin/v1/tenants/${a.id}/keys`, { name: 'ci' });
    expect(twin.status).toBe(409);
    expectProblem(twin, 409, 'key_name_taken');
    // Another tenant may use the name, and so may a new key once the old one is revoked.
    await key(b.id, { name: 'ci' });
    expect((await call(stack, 'DELETE', `/admin/v1/keys/${ci.id}`)).status).toBe(200);
    await key(a.id, { name: 'ci' });
    const revokedAgain = await call(stack, 'DELETE', `/admin/v1/keys/${ci.id}`);
    expect(revokedAgain.status).toBe(409);
    expectProblem(revokedAgain, 409, 'key_revoked');

    for (const [method, path, body] of [
      ['GET', '/admin/v1/tenants/tnt_nobody', undefined],
      ['PATCH', '/admin/v1/tenants/tnt_nobody', { limits: { rpm: 1 } }],
      ['DELETE', '/admin/v1/tenants/tnt_nobody', undefined],
      ['POST', '/admin/v1/tenants/tnt_nobody/keys', { name: 'x' }],
      ['GET', '/admin/v1/tenants/tnt_nobody/keys', undefined],
    ] as const) {
      const res = await call(stack, method, path, body);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expectProblem(res, 404, 'tenant_not_found');
    }
    for (const [method, path] of [
      ['POST', '/admin/v1/keys/key_nobody/rotate'],
      ['DELETE', '/admin/v1/keys/key_nobody'],
    ] as const) {
      const res = await call(stack, method, path);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expectProblem(res, 404, 'key_not_found');
    }
    const unknownRoute = await call(stack, 'GET', '/admin/v1/nothing-here');
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('shows a key once, at creation, and never again; the key works on /v1 at once', async () => {
    const t = await tenant();
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await call(stack, 'POST', `/admin/v1/tenants/${t.id}/keys`, { name: 'ci', expiresAt, limits: { rpm: 10 }, budgets: { dailyUsd: 1 } });
    expect(created.status).toBe(201);
    const secret = created.body.key as string;
    issuedKeys.push(secret);
    expect(secret).toMatch(/^sk-sy-[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({ tenantId: t.id, name: 'ci', prefix: secret.slice(0, 10), expiresAt, limits: { rpm: 10 }, budgets: { dailyUsd: 1 } });
    expect(created.body.id).toMatch(/^key_/);

    const listed = await call(stack, 'GET', `/admin/v1/tenants/${t.id}/keys`);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0]).not.toHaveProperty('key');
    expect(listed.body.data[0]).toMatchObject({ id: created.body.id, prefix: secret.slice(0, 10) });
    for (const text of [listed.text, (await call(stack, 'GET', `/admin/v1/tenants/${t.id}`)).text, (await call(stack, 'GET', '/admin/v1/audit')).text]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(10));
    }

    const answer = await chat(stack, secret);
    expect(answer.status).toBe(200);
    expect(answer.body.choices[0].message.content).toEqual(expect.any(String));
  });

  it('keeps tenant keys out of the admin API (403), and each tenant’s keys apart', async () => {
    const a = await tenant();
    const b = await tenant();
    const aKey = await key(a.id);
    const bKey = await key(b.id);
    for (const [method, path] of [
      ['GET', '/admin/v1/tenants'],
      ['GET', `/admin/v1/tenants/${a.id}`],
      ['GET', `/admin/v1/tenants/${a.id}/keys`],
      ['GET', `/admin/v1/tenants/${b.id}/keys`],
      ['DELETE', `/admin/v1/keys/${bKey.id}`],
      ['GET', '/admin/v1/audit'],
    ] as const) {
      const res = await call(stack, method, path, undefined, aKey.key);
      expect([path, res.status]).toEqual([path, 403]);
      expectProblem(res, 403, 'admin_only');
    }
    const aKeys = (await call(stack, 'GET', `/admin/v1/tenants/${a.id}/keys`)).body.data as { id: string; tenantId: string }[];
    expect(aKeys.map((k) => k.id)).toEqual([aKey.id]);
    expect(aKeys.every((k) => k.tenantId === a.id)).toBe(true);
    expect((await chat(stack, bKey.key)).status).toBe(200);

    const none = await call(stack, 'GET', '/admin/v1/tenants', undefined, null);
    expect(none.status).toBe(401);
    expectProblem(none, 401, 'invalid_api_key');
    const wrong = await call(stack, 'GET', '/admin/v1/tenants', undefined, 'sk-sy-not-a-key-at-all');
    expect(wrong.status).toBe(401);
    expectProblem(wrong, 401, 'invalid_api_key');
  });

  it('stops a revoked key, a rotated-out key and a suspended or deleted tenant’s keys at once on this gateway', async () => {
    const t = await tenant();
    const revoked = await key(t.id);
    expect((await chat(stack, revoked.key)).status).toBe(200);
    const revocation = await call(stack, 'DELETE', `/admin/v1/keys/${revoked.id}`);
    expect(revocation.status).toBe(200);
    expect(revocation.body).toMatchObject({ id: revoked.id, revokedAt: expect.any(String) });
    expect(revocation.body).not.toHaveProperty('key');
    expect((await chat(stack, revoked.key)).status).toBe(401);

    const rotated = await key(t.id);
    expect((await chat(stack, rotated.key)).status).toBe(200);
    const rotation = await call(stack, 'POST', `/admin/v1/keys/${rotated.id}/rotate`);
    expect(rotation.status).toBe(200);
    issuedKeys.push(rotation.body.key as string);
    expect(rotation.body).toMatchObject({ id: rotated.id, prefix: (rotation.body.key as string).slice(0, 10) });
    expect(rotation.body.key).not.toBe(rotated.key);
    expect((await chat(stack, rotated.key)).status).toBe(401);
    expect((await chat(stack, rotation.body.key as string)).status).toBe(200);

    const suspended = await key(t.id);
    expect((await chat(stack, suspended.key)).status).toBe(200);
    expect((await call(stack, 'PATCH', `/admin/v1/tenants/${t.id}`, { status: 'suspended' })).body.status).toBe('suspended');
    expect((await chat(stack, suspended.key)).status).toBe(401);
    expect((await chat(stack, rotation.body.key as string)).status).toBe(401);
    await call(stack, 'PATCH', `/admin/v1/tenants/${t.id}`, { status: 'active' });
    await within(2_000, async () => (await chat(stack, suspended.key)).status === 200);

    expect((await call(stack, 'DELETE', `/admin/v1/tenants/${t.id}`)).status).toBe(204);
    expect((await chat(stack, suspended.key)).status).toBe(401);
  });

  it('ends a rotated key’s grace and an expired key within 5 s of their time', async () => {
    const t = await tenant();
    const graced = await key(t.id);
    const expiring = await key(t.id, { expiresAt: new Date(Date.now() + 1_500).toISOString() });
    expect((await chat(stack, graced.key)).status).toBe(200);
    expect((await chat(stack, expiring.key)).status).toBe(200);
    const rotation = await call(stack, 'POST', `/admin/v1/keys/${graced.id}/rotate`, { gracePeriodSeconds: 1 });
    expect(rotation.status).toBe(200);
    issuedKeys.push(rotation.body.key as string);
    // Both secrets work during the grace.
    expect((await chat(stack, graced.key)).status).toBe(200);
    expect((await chat(stack, rotation.body.key as string)).status).toBe(200);
    const [graceEnded, expired] = await Promise.all([
      within(1_000 + 5_000, async () => (await chat(stack, graced.key)).status === 401),
      within(1_500 + 5_000, async () => (await chat(stack, expiring.key)).status === 401),
    ]);
    expect(graceEnded).toBeLessThanOrEqual(6_000);
    expect(expired).toBeLessThanOrEqual(6_500);
    expect((await chat(stack, rotation.body.key as string)).status).toBe(200);
  }, 15_000);

  it('keeps the built-in admin tenant and key out of reach (403)', async () => {
    for (const [method, path, body] of [
      ['PATCH', '/admin/v1/tenants/admin', { status: 'suspended' }],
      ['DELETE', '/admin/v1/tenants/admin', undefined],
      ['POST', '/admin/v1/tenants/admin/keys', { name: 'x' }],
    ] as const) {
      const res = await call(stack, method, path, body);
      expect([path, res.status]).toEqual([path, 403]);
      expectProblem(res, 403, 'builtin_tenant');
    }
    for (const [method, path] of [
      ['POST', '/admin/v1/keys/admin/rotate'],
      ['DELETE', '/admin/v1/keys/admin'],
    ] as const) {
      const res = await call(stack, method, path);
      expect([path, res.status]).toEqual([path, 403]);
      expectProblem(res, 403, 'builtin_key');
    }
    expect((await chat(stack, ADMIN_KEY)).status).toBe(200);
  });

  it('audits every admin action, newest first, with who did it and never a secret', async () => {
    const t = await tenant();
    const k = await key(t.id, { name: 'audited' });
    await call(stack, 'PATCH', `/admin/v1/tenants/${t.id}`, { status: 'suspended' });
    await call(stack, 'POST', `/admin/v1/keys/${k.id}/rotate`, { gracePeriodSeconds: 60 });
    await call(stack, 'DELETE', `/admin/v1/keys/${k.id}`);
    await call(stack, 'DELETE', `/admin/v1/tenants/${t.id}`);

    const page = await call(stack, 'GET', '/admin/v1/audit?limit=6');
    expect(page.status).toBe(200);
    const entries = page.body.data as { action: string; actor: string; targetId: string; detail: Record<string, unknown>; at: string }[];
    expect(entries.map((e) => [e.action, e.targetId])).toEqual([
      ['tenant.delete', t.id],
      ['key.revoke', k.id],
      ['key.rotate', k.id],
      ['tenant.update', t.id],
      ['key.create', k.id],
      ['tenant.create', t.id],
    ]);
    expect(entries.every((e) => e.actor === 'admin')).toBe(true);
    expect(entries[2].detail).toEqual({ tenantId: t.id, gracePeriodSeconds: 60 });
    expect(entries[3].detail).toEqual({ fields: ['status'], status: 'suspended' });
    expect(entries[4].detail).toEqual({ tenantId: t.id, name: 'audited' });
    const older = await call(stack, 'GET', `/admin/v1/audit?limit=2&before=${page.body.next as string}`);
    expect(older.body.data).toHaveLength(2);
    expect(Number(older.body.data[0].id)).toBeLessThan(Number(entries[5].at === '' ? 0 : page.body.next));
    expect((await call(stack, 'GET', '/admin/v1/audit?before=abc')).status).toBe(400);
  });

  it('never writes a key, the admin key or a tenant key, to a log line or an answer', () => {
    expect(issuedKeys.length).toBeGreaterThan(5);
    const logs = stack
      .logs()
      .map((l) => JSON.stringify(l))
      .join('\n');
    const answers = seen.join('\n');
    expect(logs).not.toContain(ADMIN_KEY);
    expect(answers).not.toContain(ADMIN_KEY);
    for (const k of issuedKeys) {
      expect(logs).not.toContain(k);
      expect(logs).not.toContain(k.slice(10));
    }
    // Each key appears in exactly the one answer that issued it.
    for (const k of issuedKeys) expect(seen.filter((text) => text.includes(k.slice(10)))).toHaveLength(1);
  });
});

describe('the admin API without a database', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(BACKENDS);
  });
  afterAll(() => stack.close());

  it('answers 503 problem details saying so, after the key check', async () => {
    const res = await call(stack, 'GET', '/admin/v1/tenants');
    expect(res.status).toBe(503);
    expectProblem(res, 503, 'database_unavailable');
    expect(res.body.detail).toMatch(/database/);
    expect((await call(stack, 'POST', '/admin/v1/tenants', { name: 'acme' })).status).toBe(503);
    expect((await call(stack, 'GET', '/admin/v1/tenants', undefined, null)).status).toBe(401);
  });
});

describe('throttling by client address', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(BACKENDS);
  });
  afterAll(() => stack.close());

  it('answers 429 after 20 bad keys a minute, in each path’s dialect, while a key in use keeps working', async () => {
    expect((await chat(stack, ADMIN_KEY)).status).toBe(200);
    for (let i = 0; i < 20; i++) expect((await chat(stack, `sk-sy-guess-${i}`)).status).toBe(401);
    const v1 = await chat(stack, 'sk-sy-guess-20');
    expect(v1.status).toBe(429);
    expect(Number(v1.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(v1.body).toEqual({ error: expect.objectContaining({ type: 'rate_limit_error', code: 'too_many_invalid_keys' }) });
    const admin = await call(stack, 'GET', '/admin/v1/tenants', undefined, 'sk-sy-guess-21');
    expect(admin.status).toBe(429);
    expectProblem(admin, 429, 'too_many_invalid_keys');
    expect(Number(admin.headers.get('retry-after'))).toBeGreaterThan(0);
    // The admin key, verified before, is not held back (it is not looked up again).
    expect((await chat(stack, ADMIN_KEY)).status).toBe(200);
  });

  it('limits /admin/v1 requests per address', async () => {
    let limited: Answer | undefined;
    for (let sent = 0; sent < 700 && limited === undefined; sent += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, () => call(stack, 'GET', '/admin/v1/audit?limit=1')));
      limited = batch.find((a) => a.status === 429);
      expect(batch.every((a) => a.status === 503 || a.status === 429)).toBe(true);
    }
    expect(limited).toBeDefined();
    expectProblem(limited!, 429, 'rate_limit_exceeded');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    // /v1 is not throttled per address.
    expect((await chat(stack, ADMIN_KEY)).status).toBe(200);
  });
});

// Needs Redis: REDIS_URL, or the local default. Without one this suite fails, saying so.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
describe(`bad keys counted together by gateways sharing Redis (${REDIS_URL})`, () => {
  const stacks: Stack[] = [];
  beforeAll(async () => {
    const redisPrefix = `sy-test-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 2; i++) stacks.push(await startStack({ ...BACKENDS, redisUrl: REDIS_URL, redisPrefix }));
  });
  afterAll(() => Promise.all(stacks.map((s) => s.close())));

  it('blocks an address on one gateway for the failures it made on both', async () => {
    for (let i = 0; i < 20; i++) expect((await chat(stacks[i % 2], `sk-sy-guess-${i}`)).status).toBe(401);
    expect((await chat(stacks[0], 'sk-sy-guess-20')).status).toBe(429);
    expect((await chat(stacks[1], 'sk-sy-guess-21')).status).toBe(429);
  });
});
