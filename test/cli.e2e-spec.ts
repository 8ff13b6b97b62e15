import OpenAI from 'openai';
import type { RequestOutcome } from '@switchyard/contracts';
import { LEDGER_SINK, type Database, type LedgerSink } from '@switchyard/store';
import { LastUsedStamps } from '../apps/gateway/src/auth/last-used';
import { run } from '../apps/cli/src/main';
import type { Io } from '../apps/cli/src/output';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../libs/store/src/sql/test-database';
import { ADMIN_KEY, closedPort, startStack, type Stack } from './support/stack';

// The `switchyard` CLI against a running gateway with a real database: what a platform engineer
// does by hand — a tenant, a key, a /v1 call with the OpenAI SDK under it, then list, rotate, revoke.

interface Ran {
  code: number;
  out: string;
  err: string;
}

describe(`the switchyard CLI against a gateway (${testDatabaseName})`, () => {
  let db: Database;
  let stack: Stack;
  const name = `acme-${Date.now().toString(36)}`;

  beforeAll(async () => {
    db = await openTestDatabase();
    stack = await startStack({
      backends: [{ name: 'local', protocol: 'openai', models: ['m1'] }],
      models: [
        { name: 'chat', targets: [{ backend: 'local', model: 'm1' }] },
        { name: 'other', targets: [{ backend: 'local', model: 'm1' }] },
      ],
      database: db,
    });
  });
  afterAll(async () => {
    await stack.close();
    await closeTestDatabase(db);
  });

  /** The CLI in-process, with its own streams and environment. */
  async function cli(args: string[], env: NodeJS.ProcessEnv = { SWITCHYARD_URL: stack.url, SWITCHYARD_ADMIN_KEY: ADMIN_KEY }, stdin = ''): Promise<Ran> {
    let out = '';
    let err = '';
    const io: Io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env, stdin: () => stdin };
    const code = await run(args, io);
    return { code, out, err };
  }
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await cli([...args, '--json']);
    expect(r).toMatchObject({ code: 0, err: '' });
    return JSON.parse(r.out) as T;
  };
  const sdk = (apiKey: string) => new OpenAI({ apiKey, baseURL: stack.baseURL, maxRetries: 0 });
  const until = async (check: () => Promise<boolean>, ms = 6_000): Promise<boolean> => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) if (await check()) return true;
    return check();
  };

  it('creates a tenant and a key; the key works with the OpenAI SDK inside its allow-list', async () => {
    const tenant = await json<{ id: string; name: string; limits: { rpm: number; tpm: number }; allowedModels: string[] }>([
      'tenants',
      'create',
      name,
      '--rpm',
      '600',
      '--tpm',
      '200000',
      '--monthly-budget-usd',
      '500',
      '--models',
      'chat*',
    ]);
    expect(tenant).toMatchObject({ name, limits: { rpm: 600, tpm: 200000 }, allowedModels: ['chat*'] });

    const made = await cli(['keys', 'create', '--tenant', name, '--name', 'ci']);
    expect(made.code).toBe(0);
    const key = /key: (sk-sy-\S+)/.exec(made.out)?.[1];
    expect(key).toBeDefined();
    expect(made.out).toContain('only time the key is shown');

    const answer = await sdk(key!).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello' }] });
    expect(answer.choices[0].message.content).toBeTruthy();
    await expect(sdk(key!).chat.completions.create({ model: 'other', messages: [{ role: 'user', content: 'hello' }] })).rejects.toMatchObject({
      status: 404,
    });
    const models = await sdk(key!).models.list();
    expect(models.data.map((m) => m.id)).toContain('chat');
    expect(models.data.map((m) => m.id)).not.toContain('other');
  });

  it('lists tenants and keys as tables, never showing a key', async () => {
    const tenants = await cli(['tenants', 'list']);
    expect(tenants.code).toBe(0);
    expect(tenants.out.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATUS/);
    expect(tenants.out).toContain(name);
    const keys = await cli(['keys', 'list', '--tenant', name]);
    expect(keys.code).toBe(0);
    expect(keys.out).toMatch(/^ID\s+NAME\s+PREFIX/);
    expect(keys.out).toContain('ci');
    expect(keys.out).not.toMatch(/sk-sy-[A-Za-z0-9_-]{20,}/);
  });

  it('rotates a key (the old secret stops, the new one works) and revokes it', async () => {
    const made = await json<{ id: string; key: string }>(['keys', 'create', '--tenant', name, '--name', 'rotating']);
    const rotated = await json<{ id: string; key: string }>(['keys', 'rotate', made.id]);
    expect(rotated.id).toBe(made.id);
    expect(rotated.key).not.toBe(made.key);
    await sdk(rotated.key).models.list();
    expect(
      await until(() =>
        sdk(made.key)
          .models.list()
          .then(
            () => false,
            (e: { status?: number }) => e.status === 401,
          ),
      ),
    ).toBe(true);

    const revoked = await cli(['keys', 'revoke', made.id]);
    expect(revoked).toMatchObject({ code: 0, out: `revoked ${made.id}\n` });
    expect(
      await until(() =>
        sdk(rotated.key)
          .models.list()
          .then(
            () => false,
            (e: { status?: number }) => e.status === 401,
          ),
      ),
    ).toBe(true);
  });

  it('shows what a tenant has counted and what remains, from GET /admin/v1/tenants/{id}/limits', async () => {
    const made = await json<{ key: string }>(['keys', 'create', '--tenant', name, '--name', 'counted', '--rpm', '100']);
    for (let i = 0; i < 3; i++) await sdk(made.key).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'count me' }] });
    const limits = await json<{
      counters: { scope: string; kind: string; limit: number; used: number; remaining: number }[];
      keys: { name: string; counters: { kind: string; used: number; remaining: number }[] }[];
    }>(['limits', 'show', '--tenant', name]);
    const rpm = limits.counters.find((c) => c.kind === 'rpm');
    expect(rpm).toMatchObject({ scope: 'tenant', limit: 600 });
    expect(rpm!.used).toBeGreaterThanOrEqual(3);
    expect(rpm!.remaining).toBe(600 - rpm!.used);
    expect(limits.counters.find((c) => c.kind === 'monthlyUsd')).toMatchObject({ limit: 500 });
    expect(limits.keys.find((k) => k.name === 'counted')?.counters).toEqual([expect.objectContaining({ kind: 'rpm', used: 3, remaining: 97 })]);
    const shown = await cli(['limits', 'show', '--tenant', name]);
    expect(shown.out.split('\n')[0]).toMatch(/^WHO\s+KIND\s+LIMIT\s+USED\s+REMAINING\s+RESET/);
    expect(shown.out).toMatch(/key counted\s+rpm\s+100\s+3\s+97/);
  });

  it('stamps when a key was last used, in batches off the request path', async () => {
    const made = await json<{ id: string; key: string }>(['keys', 'create', '--tenant', name, '--name', 'stamped']);
    const before = await json<{ id: string; lastUsedAt?: string }[]>(['keys', 'list', '--tenant', name]);
    expect(before.find((k) => k.id === made.id)?.lastUsedAt).toBeUndefined();
    await sdk(made.key).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello' }] });
    // The batch is written every few seconds; flush it now rather than wait.
    await stack.app.get(LastUsedStamps).flush();
    const after = await json<{ id: string; lastUsedAt?: string }[]>(['keys', 'list', '--tenant', name]);
    expect(Date.parse(after.find((k) => k.id === made.id)?.lastUsedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('changes, suspends and resumes a tenant', async () => {
    const changed = await json<{ limits: { rpm: number } }>(['tenants', 'update', name, '--rpm', '60']);
    expect(changed.limits.rpm).toBe(60);
    expect((await json<{ status: string }>(['tenants', 'suspend', name])).status).toBe('suspended');
    expect((await json<{ status: string }>(['tenants', 'resume', name])).status).toBe('active');
    const shown = await cli(['tenants', 'show', name]);
    expect(shown.out).toMatch(/status\s+active/);
    // Privacy is one object: turning capture on and off keeps the stance.
    type Privacy = { privacy?: { onPii?: string; capture?: boolean } };
    expect((await json<Privacy>(['tenants', 'update', name, '--on-pii', 'local-only', '--capture'])).privacy).toEqual({ onPii: 'local-only', capture: true });
    expect((await json<Privacy>(['tenants', 'update', name, '--no-capture'])).privacy).toEqual({ onPii: 'local-only', capture: false });
    // The cache settings are one object too.
    type Cache = { cache?: { mode?: string; ttlSeconds?: number; namespace?: string } };
    expect((await json<Cache>(['tenants', 'update', name, '--cache', 'semantic', '--cache-ttl', '600'])).cache).toEqual({ mode: 'semantic', ttlSeconds: 600 });
    expect((await json<Cache>(['tenants', 'update', name, '--cache-namespace', 'pool'])).cache).toEqual({
      mode: 'semantic',
      ttlSeconds: 600,
      namespace: 'pool',
    });
    expect((await cli(['tenants', 'update', name, '--cache', 'sometimes'])).code).toBe(2);
  });

  it('reports usage with savings and local share, as a table, JSON or CSV, and shows request records, from the ledger', async () => {
    const tenant = await json<{ id: string }>(['tenants', 'show', name]);
    // Two days ago, on the hour: away from any request this suite makes now.
    const hour = 3_600_000;
    const base = Math.floor((Date.now() - 48 * hour) / hour) * hour;
    const record = (n: number, tier: 'local' | 'cloud', costUsd: number): RequestOutcome => ({
      requestId: `${name}-r${n}`,
      startedAt: base + n * 60_000,
      principal: { tenantId: tenant.id, keyId: 'key_cli', scopes: ['inference'] },
      method: 'POST',
      endpoint: '/v1/chat/completions',
      model: 'chat',
      backend: tier === 'local' ? 'local' : 'cloud',
      tier,
      attempts: [{ backend: tier === 'local' ? 'local' : 'cloud', model: 'm1', outcome: 'ok', status: 200, ms: 31 }],
      status: 200,
      inputTokens: 40,
      outputTokens: 10,
      streamed: false,
      latencyMs: 35,
      pii: ['email'],
      costUsd,
      referenceCostUsd: 0.004,
    });
    const records = [record(1, 'local', 0), record(2, 'local', 0), record(3, 'local', 0), record(4, 'cloud', 0.004)];
    const sink = stack.app.get<LedgerSink>(LEDGER_SINK);
    await sink.write(records);
    await sink.flush();
    const window = ['--since', new Date(base - hour).toISOString(), '--until', new Date(base + 2 * hour).toISOString()];

    const shown = await cli(['usage', '--tenant', name, ...window, '--group-by', 'tier']);
    expect(shown).toMatchObject({ code: 0, err: '' });
    const lines = shown.out.trimEnd().split('\n');
    expect(lines[0]).toContain(`(tenant ${tenant.id})`);
    expect(lines[1]).toMatch(/^TIER\s+REQUESTS\s+ERRORS\s+INPUT_TOKENS\s+OUTPUT_TOKENS\s+COST\s+SAVINGS\s+LOCAL_SHARE$/);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^cloud\s+1\s+0\s+40\s+10\s+\$0\.00400\s+\$0\.00\s+0\.0%$/),
      expect.stringMatching(/^local\s+3\s+0\s+120\s+30\s+\$0\.00\s+\$0\.0120\s+100\.0%$/),
      expect.stringMatching(/^TOTAL\s+4\s+0\s+160\s+40\s+\$0\.00400\s+\$0\.0120\s+75\.0%$/),
    ]);

    const report = await json<{ totals: { requests: number; savings_usd: number; local_share: number } }>(['usage', '--tenant', tenant.id, ...window]);
    expect(report.totals).toMatchObject({ requests: 4, savings_usd: 0.012, local_share: 0.75 });
    const csv = await cli(['usage', '--tenant', name, ...window, '--group-by', 'model', '--csv']);
    expect(csv.code).toBe(0);
    expect(csv.out.split('\r\n').slice(0, 2)).toEqual([expect.stringMatching(/^model,requests,errors,/), expect.stringMatching(/^chat,4,0,160,40,/)]);

    const listed = await cli(['requests', 'list', '--tenant', name, ...window, '--limit', '3']);
    expect(listed.code).toBe(0);
    expect(listed.out.split('\n')[0]).toMatch(/^CREATED_AT\s+REQUEST_ID\s+TENANT_ID\s+STATUS/);
    expect(listed.out).toContain(`${name}-r4`);
    expect(listed.out).not.toContain(`${name}-r1 `);
    const cursor = /more: --cursor (\S+)/.exec(listed.out)?.[1];
    expect(cursor).toBeDefined();
    const next = await json<{ data: { request_id: string }[]; next_cursor: string | null }>([
      'requests',
      'list',
      '--tenant',
      name,
      ...window,
      '--cursor',
      cursor!,
    ]);
    expect(next).toEqual({ object: 'list', data: [expect.objectContaining({ request_id: `${name}-r1` })], next_cursor: null });

    const one = await cli(['requests', 'show', `${name}-r4`]);
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/attempts\s+cloud ok 200 31ms/);
    expect(one.out).toMatch(/pii_categories\s+email/);
    expect(await json(['requests', 'show', `${name}-r2`])).toMatchObject({ request_id: `${name}-r2`, tier: 'local', cost_usd: 0, reference_cost_usd: 0.004 });
    expect(await cli(['requests', 'show', 'no-such-request'])).toMatchObject({ code: 1, err: expect.stringContaining('No request with id no-such-request') });
    const badSince = await cli(['usage', '--since', 'last tuesday']);
    expect(badSince).toMatchObject({ code: 1, err: expect.stringMatching(/since.*HTTP 400/) });
  });

  it("stores a tenant's provider key from standard input and shows only its hint", async () => {
    const set = await cli(['credentials', 'set', '--tenant', name, '--backend', 'local', '--json'], undefined, 'sk-tenant-provider-0123456789\n');
    expect(set.code).toBe(0);
    expect(set.out).not.toContain('sk-tenant-provider-0123456789');
    expect(JSON.parse(set.out)).toMatchObject({ backend: 'local', hint: expect.stringMatching(/6789$/) });
    expect(await cli(['credentials', 'clear', '--tenant', name, '--backend', 'local'])).toMatchObject({ code: 0 });
  });

  it('says what went wrong, with exit codes scripts can read', async () => {
    expect(await cli(['tenants', 'show', 'no-such-tenant'])).toMatchObject({ code: 1, err: expect.stringContaining('no tenant named "no-such-tenant"') });
    const taken = await cli(['tenants', 'create', name]);
    expect(taken.code).toBe(1);
    expect(taken.err).toMatch(/already exists.*HTTP 409/);
    expect((await cli(['tenants', 'create', 'x', '--rpm', 'lots'])).code).toBe(2);
    expect((await cli(['tenants', 'frobnicate'])).code).toBe(2);
    const keyless = await cli(['tenants', 'list'], { SWITCHYARD_URL: stack.url, SWITCHYARD_DATA_DIR: '/nonexistent' });
    expect(keyless).toMatchObject({ code: 2, err: expect.stringContaining('no admin key') });
    const wrongKey = await cli(['tenants', 'list', '--admin-key', 'sy-wrong'], { SWITCHYARD_URL: stack.url });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err).toContain('HTTP 401');
    const gone = await cli(['tenants', 'list'], { SWITCHYARD_URL: `http://127.0.0.1:${await closedPort()}`, SWITCHYARD_ADMIN_KEY: ADMIN_KEY });
    expect(gone).toMatchObject({ code: 2, err: expect.stringContaining('cannot reach the gateway (ECONNREFUSED)') });
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('tenants');
  });
});
