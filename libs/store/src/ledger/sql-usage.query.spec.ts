import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestOutcome } from '@switchyard/contracts';
import type { Database } from '../sql/database';
import { migrate } from '../sql/migrations';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../sql/test-database';
import { outcome } from './ledger-sink.contract.mock';
import { SqlLedgerSink } from './sql-ledger.sink';
import { InvalidCursorError, SqlUsageQuery } from './sql-usage.query';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 28, 10, 15);

describe(`SqlUsageQuery on ${testDatabaseName}`, () => {
  let db: Database;
  let sink: SqlLedgerSink;
  let query: SqlUsageQuery;
  const tenant = `t-${randomUUID()}`;
  const other = `t-${randomUUID()}`;
  const prefix = randomUUID();

  // Two tenants over three hours of two days; costs chosen so the order by cost is plain.
  const records: RequestOutcome[] = [
    outcome(prefix, 1, {
      startedAt: T0,
      principal: { tenantId: tenant, keyId: 'k1', scopes: [] },
      model: 'chat',
      backend: 'ollama',
      tier: 'local',
      inputTokens: 10,
      outputTokens: 5,
      costUsd: 0,
      referenceCostUsd: 0.02,
    }),
    outcome(prefix, 2, {
      startedAt: T0 + 60_000,
      principal: { tenantId: tenant, keyId: 'k2', scopes: [] },
      model: 'chat',
      backend: 'openai',
      tier: 'cloud',
      inputTokens: 20,
      outputTokens: 10,
      costUsd: 0.03,
      referenceCostUsd: 0.03,
    }),
    outcome(prefix, 3, {
      startedAt: T0 + H,
      principal: { tenantId: tenant, keyId: 'k1', scopes: [] },
      model: 'embed',
      backend: 'openai',
      tier: 'cloud',
      inputTokens: 100,
      outputTokens: 0,
      costUsd: 0.001,
      referenceCostUsd: 0.001,
      status: 502,
      errorCode: 'upstream_error',
    }),
    outcome(prefix, 4, {
      startedAt: T0 + 24 * H,
      principal: { tenantId: tenant, keyId: 'k1', scopes: [] },
      model: 'chat',
      backend: 'ollama',
      tier: 'local',
      inputTokens: 7,
      outputTokens: 3,
      costUsd: 0,
      referenceCostUsd: 0.01,
    }),
    outcome(prefix, 5, {
      startedAt: T0 + 2 * 60_000,
      principal: { tenantId: other, keyId: 'x', scopes: [] },
      model: 'chat',
      backend: 'openai',
      tier: 'cloud',
      inputTokens: 1000,
      outputTokens: 1000,
      costUsd: 5,
      referenceCostUsd: 5,
    }),
  ];
  const window = { since: new Date(T0 - H), until: new Date(T0 + 48 * H) };

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db);
    sink = new SqlLedgerSink(db, { spoolDir: mkdtempSync(join(tmpdir(), 'switchyard-spool-')), log: quiet });
    await sink.write(records);
    await sink.flush();
    query = new SqlUsageQuery(db);
  });
  afterAll(async () => {
    await sink.close();
    await closeTestDatabase(db);
  });

  it("sums one tenant's usage, with nothing grouped: one row of totals", async () => {
    const report = await query.usage({ ...window, tenantId: tenant, groupBy: [] });
    const totals = { requests: 4, errors: 1, inputTokens: 137, outputTokens: 18, localRequests: 2, localTokens: 25 };
    expect(report.data).toEqual([expect.objectContaining({ group: {}, ...totals })]);
    expect(report.totals).toMatchObject(totals);
    expect(report.totals.costUsd).toBeCloseTo(0.031, 12);
    expect(report.totals.referenceCostUsd).toBeCloseTo(0.061, 12);
  });

  it('groups by model, the dearest first', async () => {
    const report = await query.usage({ ...window, tenantId: tenant, groupBy: ['model'] });
    expect(report.data.map((r) => [r.group, r.requests, r.inputTokens])).toEqual([
      [{ model: 'chat' }, 3, 37],
      [{ model: 'embed' }, 1, 100],
    ]);
  });

  it('groups by several dimensions at once, time ascending first (days and hours in UTC)', async () => {
    const byDay = await query.usage({ ...window, tenantId: tenant, groupBy: ['day', 'tier'] });
    expect(byDay.data.map((r) => [r.group, r.requests])).toEqual([
      [{ day: '2026-11-28', tier: 'cloud' }, 2],
      [{ day: '2026-11-28', tier: 'local' }, 1],
      [{ day: '2026-11-29', tier: 'local' }, 1],
    ]);
    const byHour = await query.usage({ ...window, tenantId: tenant, groupBy: ['hour'] });
    expect(byHour.data.map((r) => [r.group.hour, r.requests])).toEqual([
      ['2026-11-28T10:00:00Z', 2],
      ['2026-11-28T11:00:00Z', 1],
      ['2026-11-29T10:00:00Z', 1],
    ]);
    const byKey = await query.usage({ ...window, tenantId: tenant, groupBy: ['key', 'backend'] });
    expect(byKey.data.map((r) => r.group)).toEqual([
      { key: 'k2', backend: 'openai' },
      { key: 'k1', backend: 'openai' },
      { key: 'k1', backend: 'ollama' },
    ]);
  });

  it('sees every tenant without a tenant filter, grouped by tenant', async () => {
    const report = await query.usage({ ...window, groupBy: ['tenant'] });
    const mine = report.data.filter((r) => r.group.tenant === tenant || r.group.tenant === other);
    expect(mine.map((r) => [r.group.tenant, r.requests])).toEqual([
      [other, 1],
      [tenant, 4],
    ]);
  });

  it('reads whole hours: since rounds down, until rounds up', async () => {
    const report = await query.usage({ since: new Date(T0 + H + 40 * 60_000), until: new Date(T0 + H + 1), tenantId: tenant, groupBy: [] });
    expect(report.totals.requests).toBe(1);
    expect([report.since, report.until]).toEqual([new Date(T0 + H - 15 * 60_000), new Date(T0 + 2 * H - 15 * 60_000)]);
    const none = await query.usage({ since: new Date(T0 + 2 * H), until: new Date(T0 + 3 * H), tenantId: tenant, groupBy: ['model'] });
    expect(none).toMatchObject({ data: [], totals: { requests: 0, costUsd: 0 } });
  });

  it("finds one request by id, within a tenant when one is given (another tenant's is not found)", async () => {
    expect(await query.request(records[1].requestId)).toEqual(records[1]);
    expect(await query.request(records[1].requestId, tenant)).toEqual(records[1]);
    expect(await query.request(records[1].requestId, other)).toBeUndefined();
    expect(await query.request('no-such-request')).toBeUndefined();
  });

  it('gives the newest record when a request id was reused at another time', async () => {
    const id = `${prefix}-reused`;
    await sink.write([
      outcome(prefix, 0, { requestId: id, startedAt: T0, status: 200 }),
      outcome(prefix, 0, { requestId: id, startedAt: T0 + H, status: 404 }),
    ]);
    await sink.flush();
    expect((await query.request(id))?.status).toBe(404);
  });

  it('searches newest first, a page at a time by cursor, with filters', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await query.requests({ tenantId: tenant, limit: 3, cursor });
      seen.push(...result.data.map((r) => r.requestId));
      cursor = result.nextCursor;
      if (cursor === undefined) break;
    }
    expect(seen).toEqual([4, 3, 2, 1].map((n) => records[n - 1].requestId));

    const failed = await query.requests({ tenantId: tenant, status: 502, limit: 10 });
    expect(failed).toEqual({ data: [records[2]] });
    const windowed = await query.requests({ tenantId: tenant, since: new Date(T0 + 30_000), until: new Date(T0 + H + 1), limit: 10 });
    expect(windowed.data.map((r) => r.requestId)).toEqual([records[2].requestId, records[1].requestId]);
  });

  it('refuses a cursor it did not make', async () => {
    for (const bad of ['not a cursor!', Buffer.from('2026-11-28|x').toString('base64url'), Buffer.from('no bar').toString('base64url')]) {
      await expect(query.requests({ limit: 10, cursor: bad })).rejects.toBeInstanceOf(InvalidCursorError);
    }
  });
});
