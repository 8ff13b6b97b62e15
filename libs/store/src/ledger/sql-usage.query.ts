import type { RequestOutcome } from '@switchyard/contracts';
import type { Database } from '../sql/database';
import { fromLedgerRow, LEDGER_COLUMNS, type LedgerRow } from './ledger-record.mapper';
import type { RequestPage, RequestSearch, UsageFigures, UsageFilter, UsageGroup, UsageQuery, UsageReport, UsageRow } from './usage-query';

const HOUR_MS = 3_600_000;
export const MAX_REQUEST_PAGE = 1000;

/**
 * Each dimension: what rows are grouped by (cheap to compute per row: a day is `date_bin`, plain
 * arithmetic, not a time-zone conversion) and how a group's value is shown (UTC, once per group).
 */
const DIMENSIONS: Record<UsageGroup, { key: string; shown: (g: string) => string }> = {
  model: { key: 'model', shown: (g) => g },
  backend: { key: 'backend', shown: (g) => g },
  tier: { key: 'tier', shown: (g) => g },
  key: { key: 'key_id', shown: (g) => g },
  tenant: { key: 'tenant_id', shown: (g) => g },
  day: { key: "date_bin('1 day', hour, timestamptz '2000-01-01T00:00:00Z')", shown: (g) => `to_char(${g} AT TIME ZONE 'UTC', 'YYYY-MM-DD')` },
  hour: { key: 'hour', shown: (g) => `to_char(${g} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":00:00Z"')` },
};

const FIGURES = `sum(requests) AS requests, sum(errors) AS errors, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
  sum(cost_usd) AS cost_usd, sum(reference_cost_usd) AS reference_cost_usd, sum(local_requests) AS local_requests, sum(local_tokens) AS local_tokens,
  sum(cache_hits) AS cache_hits, sum(cache_saved_usd) AS cache_saved_usd`;
const FIGURE_NAMES = 'requests, errors, input_tokens, output_tokens, cost_usd, reference_cost_usd, local_requests, local_tokens, cache_hits, cache_saved_usd';

type FigureRow = Record<
  | 'requests'
  | 'errors'
  | 'input_tokens'
  | 'output_tokens'
  | 'cost_usd'
  | 'reference_cost_usd'
  | 'local_requests'
  | 'local_tokens'
  | 'cache_hits'
  | 'cache_saved_usd',
  unknown
>;

/** A cursor that is not one this query made. */
export class InvalidCursorError extends RangeError {
  constructor() {
    super('The cursor is not one a previous page gave.');
    this.name = 'InvalidCursorError';
  }
}

/**
 * Reads the usage ledger's tables: usage from the hourly rollups only (grouped in SQL, never the
 * raw rows), records by request id, and a newest-first search paged by a cursor over
 * (created_at, request_id).
 */
export class SqlUsageQuery implements UsageQuery {
  constructor(private readonly db: Database) {}

  async usage(filter: UsageFilter): Promise<UsageReport> {
    const groups = [...new Set(filter.groupBy)];
    const since = hourFloor(filter.since);
    const until = hourCeil(filter.until);
    const params: unknown[] = [since.toISOString(), until.toISOString()];
    let where = 'hour >= $1 AND hour < $2';
    if (filter.tenantId !== undefined) {
      params.push(filter.tenantId);
      where += ` AND tenant_id = $${params.length}`;
    }
    const keys = groups.map((g, i) => `${DIMENSIONS[g].key} AS g${i}`);
    const shown = groups.map((g, i) => `${DIMENSIONS[g].shown(`g${i}`)} AS g${i}`);
    // Time ascending, then the dearest first, then by value so the order is stable.
    const timed = groups.map((g, i) => (g === 'day' || g === 'hour' ? `grouped.g${i}` : undefined)).filter((x): x is string => x !== undefined);
    const others = groups.map((g, i) => (g === 'day' || g === 'hour' ? undefined : `grouped.g${i}`)).filter((x): x is string => x !== undefined);
    const order = [...timed, 'grouped.cost_usd DESC', 'grouped.requests DESC', ...others].join(', ');
    const sql =
      groups.length === 0
        ? `SELECT ${FIGURES} FROM usage_hourly WHERE ${where}`
        : `SELECT ${shown.join(', ')}, ${FIGURE_NAMES}
           FROM (SELECT ${keys.join(', ')}, ${FIGURES} FROM usage_hourly WHERE ${where} GROUP BY ${groups.map((_, i) => i + 1).join(', ')}) grouped
           ORDER BY ${order}`;
    const rows = await this.db.query<FigureRow & Record<string, unknown>>(sql, params);
    const data: UsageRow[] = rows.map((r) => ({
      group: Object.fromEntries(groups.map((g, i) => [g, String(r[`g${i}`])])),
      ...figures(r),
    }));
    return { since, until, data, totals: total(data) };
  }

  async request(requestId: string, tenantId?: string): Promise<RequestOutcome | undefined> {
    const rows =
      tenantId === undefined
        ? await this.db.query<LedgerRow>(`SELECT ${LEDGER_COLUMNS} FROM usage_ledger WHERE request_id = $1 ORDER BY created_at DESC LIMIT 1`, [requestId])
        : await this.db.query<LedgerRow>(
            `SELECT ${LEDGER_COLUMNS} FROM usage_ledger WHERE request_id = $1 AND tenant_id = $2 ORDER BY created_at DESC LIMIT 1`,
            [requestId, tenantId],
          );
    return rows.length === 0 ? undefined : fromLedgerRow(rows[0]);
  }

  async requests(search: RequestSearch): Promise<RequestPage> {
    const limit = Math.min(Math.max(Math.trunc(search.limit), 1), MAX_REQUEST_PAGE);
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (search.tenantId !== undefined) add((p) => `tenant_id = ${p}`, search.tenantId);
    if (search.status !== undefined) add((p) => `status = ${p}`, search.status);
    if (search.since !== undefined) add((p) => `created_at >= ${p}`, search.since.toISOString());
    if (search.until !== undefined) add((p) => `created_at < ${p}`, search.until.toISOString());
    if (search.cursor !== undefined) {
      const after = decodeCursor(search.cursor);
      params.push(after.createdAt, after.requestId);
      where.push(`(created_at, request_id) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(limit + 1);
    const rows = await this.db.query<LedgerRow>(
      `SELECT ${LEDGER_COLUMNS} FROM usage_ledger ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, request_id DESC LIMIT $${params.length}`,
      params,
    );
    const data = rows.slice(0, limit).map(fromLedgerRow);
    const last = data[data.length - 1];
    return rows.length > limit && last !== undefined ? { data, nextCursor: encodeCursor(last) } : { data };
  }
}

function encodeCursor(last: RequestOutcome): string {
  return Buffer.from(`${new Date(last.startedAt).toISOString()}|${last.requestId}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; requestId: string } {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const bar = text.indexOf('|');
  const createdAt = text.slice(0, bar);
  const requestId = text.slice(bar + 1);
  if (bar < 0 || requestId.length === 0 || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
    throw new InvalidCursorError();
  }
  return { createdAt, requestId };
}

function hourFloor(d: Date): Date {
  return new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);
}

function hourCeil(d: Date): Date {
  return new Date(Math.ceil(d.getTime() / HOUR_MS) * HOUR_MS);
}

function figures(r: FigureRow): UsageFigures {
  return {
    requests: Number(r.requests ?? 0),
    errors: Number(r.errors ?? 0),
    inputTokens: Number(r.input_tokens ?? 0),
    outputTokens: Number(r.output_tokens ?? 0),
    costUsd: Number(r.cost_usd ?? 0),
    referenceCostUsd: Number(r.reference_cost_usd ?? 0),
    localRequests: Number(r.local_requests ?? 0),
    localTokens: Number(r.local_tokens ?? 0),
    cacheHits: Number(r.cache_hits ?? 0),
    cacheSavedUsd: Number(r.cache_saved_usd ?? 0),
  };
}

function total(rows: readonly UsageFigures[]): UsageFigures {
  const sum: UsageFigures = {
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    referenceCostUsd: 0,
    localRequests: 0,
    localTokens: 0,
    cacheHits: 0,
    cacheSavedUsd: 0,
  };
  for (const r of rows) for (const k of Object.keys(sum) as (keyof UsageFigures)[]) sum[k] += r[k];
  return sum;
}
