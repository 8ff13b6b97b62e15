import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestOutcome } from '@switchyard/contracts';
import { openDatabase, type Database } from '../sql/database';
import { migrate } from '../sql/migrations';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../sql/test-database';
import { describeLedgerSinkContract, outcome } from './ledger-sink.contract.mock';
import { fromLedgerRow, LEDGER_COLUMNS, type LedgerRow } from './ledger-record.mapper';
import { SqlLedgerSink, type LedgerLog, type SqlLedgerSinkOptions } from './sql-ledger.sink';

interface Logged {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string;
}

function captureLog(): LedgerLog & { lines: Logged[] } {
  const lines: Logged[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

const spoolDir = () => mkdtempSync(join(tmpdir(), 'switchyard-spool-'));

async function readLedger(db: Database, prefix: string): Promise<RequestOutcome[]> {
  const rows = await db.query<LedgerRow>(`SELECT ${LEDGER_COLUMNS} FROM usage_ledger WHERE starts_with(request_id, $1) ORDER BY created_at, request_id`, [
    prefix,
  ]);
  return rows.map(fromLedgerRow);
}

interface Hourly {
  hour: Date;
  model: string;
  tier: string;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  reference_cost_usd: number;
  local_requests: number;
  local_tokens: number;
}

async function readHourly(db: Database, tenantId: string): Promise<Hourly[]> {
  const rows = await db.query<Record<keyof Hourly, unknown>>(
    `SELECT hour, model, tier, requests, errors, input_tokens, output_tokens, cost_usd, reference_cost_usd, local_requests, local_tokens
     FROM usage_hourly WHERE tenant_id = $1 ORDER BY hour, model, tier`,
    [tenantId],
  );
  return rows.map((r) => ({
    hour: r.hour as Date,
    model: r.model as string,
    tier: r.tier as string,
    requests: Number(r.requests),
    errors: Number(r.errors),
    input_tokens: Number(r.input_tokens),
    output_tokens: Number(r.output_tokens),
    cost_usd: Number(r.cost_usd),
    reference_cost_usd: Number(r.reference_cost_usd),
    local_requests: Number(r.local_requests),
    local_tokens: Number(r.local_tokens),
  }));
}

/** What the rollups must hold for these records, computed here from the records themselves. */
function expectedHourly(records: readonly RequestOutcome[]): Omit<Hourly, 'cost_usd' | 'reference_cost_usd'>[] {
  const groups = new Map<string, Omit<Hourly, 'cost_usd' | 'reference_cost_usd'>>();
  for (const r of records) {
    const hour = new Date(Math.floor(r.startedAt / 3_600_000) * 3_600_000);
    const key = `${hour.toISOString()}|${r.model ?? ''}|${r.tier ?? ''}`;
    const g = groups.get(key) ?? {
      hour,
      model: r.model ?? '',
      tier: r.tier ?? '',
      requests: 0,
      errors: 0,
      input_tokens: 0,
      output_tokens: 0,
      local_requests: 0,
      local_tokens: 0,
    };
    g.requests++;
    if (r.status >= 400) g.errors++;
    g.input_tokens += r.inputTokens ?? 0;
    g.output_tokens += r.outputTokens ?? 0;
    if (r.tier === 'local') {
      g.local_requests++;
      g.local_tokens += (r.inputTokens ?? 0) + (r.outputTokens ?? 0);
    }
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => a.hour.getTime() - b.hour.getTime() || a.model.localeCompare(b.model) || a.tier.localeCompare(b.tier));
}

async function eventually(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await check()) return;
  if (!(await check())) throw new Error(`not within ${ms} ms`);
}

async function partitionsOf(db: Database): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_ledger'::regclass ORDER BY 1",
  );
  return rows.map((r) => r.name);
}

const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');

describe(`SqlLedgerSink on ${testDatabaseName}`, () => {
  let db: Database;
  const sinks: SqlLedgerSink[] = [];
  const sink = (options: Partial<SqlLedgerSinkOptions> = {}): SqlLedgerSink => {
    const s = new SqlLedgerSink(db, { spoolDir: spoolDir(), log: captureLog(), flushMs: 20, ...options });
    sinks.push(s);
    return s;
  };

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db);
  });
  afterAll(async () => {
    await Promise.all(sinks.map((s) => s.close()));
    await closeTestDatabase(db);
  });

  describeLedgerSinkContract('SqlLedgerSink', () => ({ sink: sink(), read: (prefix) => readLedger(db, prefix) }));

  it('keeps every field of a record, the principal as tenant, key and scopes', async () => {
    const prefix = randomUUID();
    const full = outcome(prefix, 1, {
      principal: { tenantId: 'tnt_1', tenantName: 'acme', keyId: 'key_1', scopes: ['inference'], grants: { limits: {}, budgets: {} } },
      attempts: [
        { backend: 'local', model: 'm', outcome: 'connect', status: 503, ms: 3.5 },
        { backend: 'cloud', model: 'gpt', outcome: 'ok', status: 200, ms: 120 },
      ],
      backend: 'cloud',
      tier: 'cloud',
      errorCode: undefined,
      tokensCounted: true,
      costUsd: 0.000123,
      referenceCostUsd: 0.000456,
      ttftMs: 41.25,
      latencyMs: 130.125,
      streamed: true,
      pii: ['email', 'phone'],
      user: 'end-user-7',
      tags: ['batch', 'nightly'],
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
    const s = sink();
    await s.write([full]);
    await s.flush();
    const { tenantName: _name, grants: _grants, ...kept } = full.principal!;
    expect(await readLedger(db, prefix)).toEqual([{ ...full, principal: kept }]);
  });

  it('adds exactly the rows it inserted to the hourly rollups: replays and duplicates count once', async () => {
    const prefix = randomUUID();
    const tenantId = `t-${prefix}`;
    const base = Date.UTC(2026, 10, 30, 9, 0, 0);
    const records = Array.from({ length: 120 }, (_, i) =>
      outcome(prefix, i, {
        principal: { tenantId, keyId: 'k1', scopes: ['inference'] },
        startedAt: base + i * 60_000,
        model: i % 3 === 0 ? 'chat' : 'embed',
        tier: i % 2 === 0 ? 'local' : 'cloud',
        backend: i % 2 === 0 ? 'ollama' : 'openai',
        status: i % 10 === 0 ? 502 : 200,
        inputTokens: i,
        outputTokens: i % 7,
        costUsd: i % 2 === 0 ? 0 : 0.001,
        referenceCostUsd: 0.001,
      }),
    );
    const first = sink({ batchSize: 50 });
    // The same records twice in one batch, and again later: each is kept once.
    await first.write([...records.slice(0, 30), ...records.slice(0, 30)]);
    await first.write(records.slice(30));
    await first.flush();
    const replay = sink({ batchSize: 7 });
    await replay.write(records);
    await replay.flush();

    expect(await readLedger(db, prefix)).toHaveLength(120);
    const hourly = await readHourly(db, tenantId);
    expect(hourly.map(({ cost_usd: _c, reference_cost_usd: _r, ...rest }) => rest)).toEqual(expectedHourly(records));
    expect(hourly.reduce((n, h) => n + h.cost_usd, 0)).toBeCloseTo(60 * 0.001, 9);
    expect(hourly.reduce((n, h) => n + h.reference_cost_usd, 0)).toBeCloseTo(120 * 0.001, 9);
  });

  it('counts a record without a reference cost at its own cost, and one without a principal under no tenant', async () => {
    const prefix = randomUUID();
    const tenantId = `t-${prefix}`;
    const s = sink();
    await s.write([
      outcome(prefix, 1, { principal: { tenantId, keyId: 'k', scopes: [] }, costUsd: 0.5, referenceCostUsd: undefined }),
      outcome(prefix, 2, { principal: undefined, status: 401, model: undefined, backend: undefined, tier: undefined, attempts: [] }),
    ]);
    await s.flush();
    expect(await readHourly(db, tenantId)).toEqual([expect.objectContaining({ requests: 1, cost_usd: 0.5, reference_cost_usd: 0.5 })]);
    const anonymous = await db.query<{ tenant_id: string; key_id: string; model: string }>(
      "SELECT tenant_id, key_id, model FROM usage_hourly WHERE tenant_id = '' AND hour = $1",
      [new Date(Date.UTC(2026, 10, 30, 12)).toISOString()],
    );
    expect(anonymous).toContainEqual({ tenant_id: '', key_id: '', model: '' });
  });

  it('writes on its own after flushMs, and at once when a batch is full', async () => {
    const prefix = randomUUID();
    const timed = sink({ flushMs: 50 });
    await timed.write([outcome(prefix, 1)]);
    expect(timed.stats().queued).toBe(1);
    await eventually(async () => (await readLedger(db, prefix)).length === 1, 5_000);

    const full = sink({ flushMs: 60_000, batchSize: 10 });
    await full.write(Array.from({ length: 10 }, (_, i) => outcome(prefix, 100 + i)));
    await eventually(async () => (await readLedger(db, prefix)).length === 11, 5_000);
  });

  it('drops only a record the database refuses, after trying its batch row by row, and spools nothing', async () => {
    const prefix = randomUUID();
    const log = captureLog();
    const s = sink({ log });
    const good = [outcome(prefix, 1), outcome(prefix, 3)];
    // jsonb cannot hold U+0000, and a status must fit a smallint.
    const bad = [outcome(prefix, 2, { model: 'nul\u0000model' }), outcome(prefix, 4, { status: 70_000 })];
    await s.write([good[0], bad[0], good[1], bad[1]]);
    await s.flush();
    expect(await readLedger(db, prefix)).toEqual(good);
    const dropped = log.lines.filter((l) => l.msg.includes('dropped a record the database refuses'));
    expect(dropped.map((l) => (l.obj as { requestId: string }).requestId).sort()).toEqual(bad.map((r) => r.requestId));
    expect(s.stats()).toEqual({ queued: 0, spooledRecords: 0, spoolBytes: 0 });
  });

  it('drops a record with no time it could be filed under, before any SQL', async () => {
    const prefix = randomUUID();
    const log = captureLog();
    const s = sink({ log });
    await s.write([outcome(prefix, 1, { startedAt: Number.NaN }), outcome(prefix, 2)]);
    await s.flush();
    expect((await readLedger(db, prefix)).map((r) => r.requestId)).toEqual([`${prefix}-0002`]);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', obj: { requestId: `${prefix}-0001`, why: 'no valid startedAt' } }));
  });

  it('creates the day partitions a batch needs, and today and the next two days', async () => {
    const now = Date.now();
    const prefix = randomUUID();
    const s = sink({ now: () => now });
    const old = now - 10 * DAY;
    await s.write([outcome(prefix, 1, { startedAt: old }), outcome(prefix, 2, { startedAt: now })]);
    await s.flush();
    const names = await partitionsOf(db);
    for (const d of [old, now, now + DAY, now + 2 * DAY]) expect(names).toContain(`usage_ledger_${day(d)}`);
    expect(await readLedger(db, prefix)).toHaveLength(2);
  });

  it('drops whole days past retention with their rollups, at its start and then at every interval', async () => {
    const prefix = randomUUID();
    const tenantId = `t-${prefix}`;
    let now = Date.now();
    const at = (ms: number, n: number) => outcome(prefix, n, { startedAt: ms, principal: { tenantId, keyId: 'k', scopes: [] } });
    const writer = sink({ now: () => now, retentionDays: 3650 });
    await writer.write([at(now - 40 * DAY, 1), at(now - 5 * DAY, 2), at(now, 3)]);
    await writer.flush();
    expect(await readLedger(db, prefix)).toHaveLength(3);

    // A sink keeping 30 days drops the 40-day-old partition on its first contact with the database.
    const keeper = sink({ now: () => now, retentionDays: 30, maintenanceMs: 100 });
    await keeper.write([at(now, 4)]);
    await keeper.flush();
    await eventually(async () => !(await partitionsOf(db)).includes(`usage_ledger_${day(now - 40 * DAY)}`), 5_000);
    expect((await readLedger(db, prefix)).map((r) => r.requestId)).toEqual([2, 3, 4].map((n) => `${prefix}-000${n}`));
    expect((await readHourly(db, tenantId)).reduce((n, h) => n + h.requests, 0)).toBe(3);

    // Time passes: the next run drops the 5-day-old day too, with nothing written.
    now += 26 * DAY;
    await eventually(async () => !(await partitionsOf(db)).includes(`usage_ledger_${day(now - 31 * DAY)}`), 5_000);
    expect((await readLedger(db, prefix)).map((r) => r.requestId)).toEqual([3, 4].map((n) => `${prefix}-000${n}`));
    expect((await readHourly(db, tenantId)).reduce((n, h) => n + h.requests, 0)).toBe(2);
    await keeper.close();
  });

  it('replays a spool left behind at start, exactly once even for records already in (a crash before the spool was removed)', async () => {
    const prefix = randomUUID();
    const tenantId = `t-${prefix}`;
    const records = Array.from({ length: 25 }, (_, i) => outcome(prefix, i, { principal: { tenantId, keyId: 'k', scopes: [] }, inputTokens: 4 }));
    const s = sink();
    await s.write(records.slice(0, 10));
    await s.flush();

    const dir = spoolDir();
    const lines = records.map((r) => JSON.stringify(r)).join('\n');
    // The last line was torn by the crash: it is skipped and said so.
    writeFileSync(join(dir, `ledger-${db.schema}-000001764500000000-000000-1.ndjson`), `${lines}\n{"requestId":"torn`);
    const log = captureLog();
    const restarted = sink({ spoolDir: dir, log });
    await eventually(() => readdirSync(dir).length === 0, 10_000);
    expect(restarted.stats()).toEqual({ queued: 0, spooledRecords: 0, spoolBytes: 0 });
    expect(await readLedger(db, prefix)).toEqual(records);
    expect((await readHourly(db, tenantId)).reduce((n, h) => n + h.input_tokens, 0)).toBe(25 * 4);
    expect(log.lines.some((l) => l.level === 'warn' && l.msg.includes('cannot be read'))).toBe(true);
  });

  it('spools, rather than drops, what the database refuses as a whole (no table yet), and writes it once it can', async () => {
    const bare = await openTestDatabase();
    const prefix = randomUUID();
    const dir = spoolDir();
    const s = new SqlLedgerSink(bare, { spoolDir: dir, log: captureLog(), flushMs: 20 });
    try {
      await s.write([outcome(prefix, 1), outcome(prefix, 2)]);
      await s.flush();
      expect(s.stats().spooledRecords).toBe(2);
      await migrate(bare);
      await eventually(() => s.stats().spooledRecords === 0, 15_000);
      expect(await readLedger(bare, prefix)).toEqual([outcome(prefix, 1), outcome(prefix, 2)]);
    } finally {
      await s.close();
      await closeTestDatabase(bare);
    }
  }, 60_000);

  it("leaves another database's spool alone", async () => {
    const dir = spoolDir();
    const foreign = join(dir, 'ledger-someone_else-000001764500000000-000000-1.ndjson');
    writeFileSync(foreign, `${JSON.stringify(outcome('foreign', 1))}\n`);
    const s = sink({ spoolDir: dir });
    await s.write([outcome(randomUUID(), 1)]);
    await s.flush();
    expect(readdirSync(dir)).toEqual([foreign.slice(dir.length + 1)]);
    expect(await readLedger(db, 'foreign')).toEqual([]);
  });
});

/** A TCP relay to PostgreSQL that a spec can cut (connections dropped, new ones refused) and restore. */
class CuttableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

// Needs a real PostgreSQL to cut off: DATABASE_URL, or the local default. Without one this suite fails, saying so.
const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe(`SqlLedgerSink when PostgreSQL (${new URL(PG_URL).host}) becomes unreachable`, () => {
  const schema = `sy_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  let proxy: CuttableProxy;
  let direct: Database;
  let proxied: Database;

  beforeAll(async () => {
    try {
      direct = await openDatabase({ url: PG_URL, schema, poolSize: 2 });
    } catch (err) {
      throw new Error(`These specs need PostgreSQL at ${new URL(PG_URL).host} (set DATABASE_URL): ${(err as Error).message}`);
    }
    await migrate(direct);
    const target = new URL(PG_URL);
    proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.open();
    target.hostname = '127.0.0.1';
    target.port = String(proxy.port);
    proxied = await openDatabase({ url: target.toString(), schema, poolSize: 2 });
  });
  afterAll(async () => {
    await proxied?.close();
    await proxy?.cut();
    if (direct) await closeTestDatabase(direct);
  });

  const spooledLines = (dir: string) =>
    readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('')
      .split('\n')
      .filter(Boolean);

  it('spools what it cannot write, holds nothing in memory, and replays it all exactly once when the database is back', async () => {
    const prefix = randomUUID();
    const tenantId = `t-${prefix}`;
    const dir = spoolDir();
    const log = captureLog();
    const sink = new SqlLedgerSink(proxied, { spoolDir: dir, log, flushMs: 20, batchSize: 100, attemptTimeoutMs: 3_000 });
    const at = (n: number) => outcome(prefix, n, { startedAt: Date.now(), principal: { tenantId, keyId: 'k', scopes: [] }, inputTokens: 3, costUsd: 0.01 });
    try {
      const before = Array.from({ length: 150 }, (_, i) => at(i));
      await sink.write(before);
      await sink.flush();
      expect(await readLedger(direct, prefix)).toHaveLength(150);

      await proxy.cut();
      const during = Array.from({ length: 1_200 }, (_, i) => at(1_000 + i));
      for (let i = 0; i < during.length; i += 200) await sink.write(during.slice(i, i + 200));
      await sink.flush();
      expect(sink.stats()).toMatchObject({ queued: 0, spooledRecords: 1_200 });
      expect(sink.stats().spoolBytes).toBeGreaterThan(0);
      expect(spooledLines(dir).map((l) => (JSON.parse(l) as RequestOutcome).requestId)).toEqual(during.map((r) => r.requestId));
      expect(log.lines.some((l) => l.level === 'warn' && l.msg.includes('spooling'))).toBe(true);

      await proxy.open();
      const after = Array.from({ length: 50 }, (_, i) => at(5_000 + i));
      await sink.write(after);
      await sink.flush();
      await eventually(() => sink.stats().spooledRecords === 0 && readdirSync(dir).length === 0, 20_000);

      const kept = await readLedger(direct, prefix);
      expect(kept).toHaveLength(1_400);
      expect(new Set(kept.map((r) => r.requestId)).size).toBe(1_400);
      const hourly = await readHourly(direct, tenantId);
      expect(hourly.reduce((n, h) => n + h.requests, 0)).toBe(1_400);
      expect(hourly.reduce((n, h) => n + h.input_tokens, 0)).toBe(1_400 * 3);
      expect(hourly.reduce((n, h) => n + h.cost_usd, 0)).toBeCloseTo(14, 6);
    } finally {
      await proxy.open().catch(() => undefined);
      await sink.close();
    }
  }, 60_000);

  it('closes with the database down, keeping the spool; the next start replays it', async () => {
    const prefix = randomUUID();
    const dir = spoolDir();
    const records = Array.from({ length: 30 }, (_, i) => outcome(prefix, i, { startedAt: Date.now() }));
    await proxy.cut();
    const first = new SqlLedgerSink(proxied, { spoolDir: dir, log: captureLog(), flushMs: 20, attemptTimeoutMs: 3_000 });
    await first.write(records);
    await first.close();
    expect(spooledLines(dir)).toHaveLength(30);
    expect(await readLedger(direct, prefix)).toEqual([]);

    // Starting while the database is still down: new records join the spool.
    const second = new SqlLedgerSink(proxied, { spoolDir: dir, log: captureLog(), flushMs: 20, attemptTimeoutMs: 3_000 });
    const more = outcome(prefix, 99, { startedAt: Date.now() });
    await second.write([more]);
    await second.flush();
    expect(second.stats().spooledRecords).toBe(31);
    await proxy.open();
    await eventually(() => readdirSync(dir).length === 0, 20_000);
    expect((await readLedger(direct, prefix)).map((r) => r.requestId).sort()).toEqual([...records, more].map((r) => r.requestId));
    await second.close();
  }, 60_000);
});
