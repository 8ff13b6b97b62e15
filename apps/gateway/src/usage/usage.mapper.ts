import type { RequestOutcome } from '@switchyard/contracts';
import type { UsageFigures, UsageGroup, UsageReport } from '@switchyard/store';

/** Usage figures on the wire: snake_case, with savings and local shares worked out. */
export interface UsageFiguresBody {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  reference_cost_usd: number;
  /** What running where it ran saved against the all-cloud reference. */
  savings_usd: number;
  local_requests: number;
  local_tokens: number;
  /** Local requests over all requests; 0 when there were none. */
  local_share: number;
  /** Local tokens over all tokens; 0 when there were none. */
  local_token_share: number;
  /** Requests the response cache answered. */
  cache_hits: number;
  /** USD those hits saved (part of `savings_usd`). */
  cache_saved_usd: number;
}

export interface UsageRowBody extends UsageFiguresBody {
  /** The group's values; null where the requests had none (no model named, not authenticated). */
  group: Partial<Record<UsageGroup, string | null>>;
}

export interface UsageBody {
  object: 'usage';
  since: string;
  until: string;
  group_by: UsageGroup[];
  /** The tenant the figures are limited to; null in the admin view of every tenant. */
  tenant_id: string | null;
  data: UsageRowBody[];
  totals: UsageFiguresBody;
}

export interface AttemptBody {
  backend: string;
  model: string;
  outcome: string;
  status: number;
  ms: number;
}

/** One request's ledger record on the wire. */
export interface RequestRecordBody {
  request_id: string;
  created_at: string;
  tenant_id: string | null;
  key_id: string | null;
  method: string;
  endpoint: string;
  status: number;
  error_code: string | null;
  model: string | null;
  route: string | null;
  backend: string | null;
  tier: string | null;
  attempts: AttemptBody[];
  input_tokens: number | null;
  output_tokens: number | null;
  tokens_counted: boolean;
  cost_usd: number | null;
  reference_cost_usd: number | null;
  ttft_ms: number | null;
  latency_ms: number;
  streamed: boolean;
  pii_categories: string[];
  user: string | null;
  tags: string[];
  trace_id: string | null;
  /** What the response cache did (`hit`, `semantic`, `miss`, `bypass`); null when it was off. */
  cache: string | null;
  /** On a hit: USD it saved. */
  cache_saved_usd: number | null;
  /** The bodies, PII replaced, when the tenant opted in to capture (one record's view only). */
  capture?: { request: unknown; response: unknown } | null;
}

export interface RequestListBody {
  object: 'list';
  data: RequestRecordBody[];
  /** Pass as `cursor` for the next (older) page; null on the last one. */
  next_cursor: string | null;
}

/** USD sums of floating-point costs, to the nano-dollar: no 0.30000000000000004 on the wire. */
const usd = (x: number): number => Math.round(x * 1e9) / 1e9;

export function figuresBody(f: UsageFigures): UsageFiguresBody {
  const tokens = f.inputTokens + f.outputTokens;
  return {
    requests: f.requests,
    errors: f.errors,
    input_tokens: f.inputTokens,
    output_tokens: f.outputTokens,
    cost_usd: usd(f.costUsd),
    reference_cost_usd: usd(f.referenceCostUsd),
    savings_usd: usd(f.referenceCostUsd - f.costUsd),
    local_requests: f.localRequests,
    local_tokens: f.localTokens,
    local_share: f.requests === 0 ? 0 : f.localRequests / f.requests,
    local_token_share: tokens === 0 ? 0 : f.localTokens / tokens,
    cache_hits: f.cacheHits,
    cache_saved_usd: usd(f.cacheSavedUsd),
  };
}

export function usageBody(report: UsageReport, groupBy: UsageGroup[], tenantId: string | undefined): UsageBody {
  return {
    object: 'usage',
    since: report.since.toISOString(),
    until: report.until.toISOString(),
    group_by: groupBy,
    tenant_id: tenantId ?? null,
    data: report.data.map((row) => ({
      group: Object.fromEntries(Object.entries(row.group).map(([k, v]) => [k, v === '' ? null : v])),
      ...figuresBody(row),
    })),
    totals: figuresBody(report.totals),
  };
}

const FIGURE_COLUMNS: readonly (keyof UsageFiguresBody)[] = [
  'requests',
  'errors',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'reference_cost_usd',
  'savings_usd',
  'local_requests',
  'local_tokens',
  'local_share',
  'local_token_share',
  'cache_hits',
  'cache_saved_usd',
];

/**
 * The usage as CSV (RFC 4180): a header row, then one row per group, no totals row. A text cell
 * a spreadsheet would run as a formula (a client-chosen model name starting with `=`) is prefixed
 * with `'`.
 */
export function usageCsv(body: UsageBody): string {
  const header = [...body.group_by, ...FIGURE_COLUMNS];
  const rows = body.data.map((row) => [...body.group_by.map((g) => textCell(row.group[g] ?? '')), ...FIGURE_COLUMNS.map((c) => String(row[c]))]);
  return [header, ...rows].map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}

function textCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function recordBody(o: RequestOutcome): RequestRecordBody {
  return {
    request_id: o.requestId,
    created_at: new Date(o.startedAt).toISOString(),
    tenant_id: o.principal?.tenantId ?? null,
    key_id: o.principal?.keyId ?? null,
    method: o.method,
    endpoint: o.endpoint,
    status: o.status,
    error_code: o.errorCode ?? null,
    model: o.model ?? null,
    route: o.route ?? null,
    backend: o.backend ?? null,
    tier: o.tier ?? null,
    attempts: o.attempts.map((a) => ({ backend: a.backend, model: a.model, outcome: a.outcome, status: a.status, ms: a.ms })),
    input_tokens: o.inputTokens ?? null,
    output_tokens: o.outputTokens ?? null,
    tokens_counted: o.tokensCounted === true,
    cost_usd: o.costUsd ?? null,
    reference_cost_usd: o.referenceCostUsd ?? null,
    ttft_ms: o.ttftMs ?? null,
    latency_ms: o.latencyMs,
    streamed: o.streamed,
    pii_categories: [...o.pii],
    user: o.user ?? null,
    tags: [...(o.tags ?? [])],
    trace_id: o.traceId ?? null,
    cache: o.cache ?? null,
    cache_saved_usd: o.cacheSavedUsd ?? null,
  };
}
