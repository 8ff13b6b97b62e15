import type { AttemptRecord, CacheResult, RequestOutcome } from '@switchyard/contracts';

/** A `usage_ledger` row as it is written (one element of the batch's JSON array) and read. */
export interface LedgerRow {
  request_id: string;
  created_at: string | Date;
  tenant_id: string | null;
  key_id: string | null;
  scopes: readonly string[] | null;
  method: string;
  endpoint: string;
  model: string | null;
  route: string | null;
  backend: string | null;
  tier: string | null;
  attempts: readonly AttemptRecord[];
  status: number;
  error_code: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  tokens_counted: boolean | null;
  cost_usd: number | null;
  reference_cost_usd: number | null;
  streamed: boolean;
  ttft_ms: number | null;
  latency_ms: number;
  pii_categories: readonly string[];
  end_user: string | null;
  tags: readonly string[] | null;
  trace_id: string | null;
  cache: CacheResult | null;
  cache_saved_usd: number | null;
}

/** The columns, with their SQL types: the record type of `jsonb_to_recordset` and the column list of the insert. */
export const LEDGER_COLUMN_TYPES: readonly (readonly [keyof LedgerRow, string])[] = [
  ['request_id', 'text'],
  ['created_at', 'timestamptz'],
  ['tenant_id', 'text'],
  ['key_id', 'text'],
  ['scopes', 'text[]'],
  ['method', 'text'],
  ['endpoint', 'text'],
  ['model', 'text'],
  ['route', 'text'],
  ['backend', 'text'],
  ['tier', 'text'],
  ['attempts', 'jsonb'],
  ['status', 'smallint'],
  ['error_code', 'text'],
  ['input_tokens', 'integer'],
  ['output_tokens', 'integer'],
  ['tokens_counted', 'boolean'],
  ['cost_usd', 'double precision'],
  ['reference_cost_usd', 'double precision'],
  ['streamed', 'boolean'],
  ['ttft_ms', 'double precision'],
  ['latency_ms', 'double precision'],
  ['pii_categories', 'text[]'],
  ['end_user', 'text'],
  ['tags', 'text[]'],
  ['trace_id', 'text'],
  ['cache', 'text'],
  ['cache_saved_usd', 'double precision'],
];

export const LEDGER_COLUMNS = LEDGER_COLUMN_TYPES.map(([name]) => name).join(', ');

/** 10000-01-01T00:00:00Z. */
const LAST_MS = 253_402_300_800_000;

/** Why a record cannot be a row at all (no id, no time): it is dropped before any SQL. */
export function unrecordable(o: RequestOutcome): string | undefined {
  if (typeof o.requestId !== 'string' || o.requestId.length === 0) return 'no request id';
  // Years 1970 to 9999: a day is then always eight digits (a partition's name).
  if (!Number.isFinite(o.startedAt) || o.startedAt < 0 || o.startedAt >= LAST_MS) return 'no valid startedAt';
  return undefined;
}

export function toLedgerRow(o: RequestOutcome): LedgerRow {
  return {
    request_id: o.requestId,
    created_at: new Date(o.startedAt).toISOString(),
    tenant_id: o.principal?.tenantId ?? null,
    key_id: o.principal?.keyId ?? null,
    scopes: o.principal?.scopes ?? null,
    method: o.method,
    endpoint: o.endpoint,
    model: o.model ?? null,
    route: o.route ?? null,
    backend: o.backend ?? null,
    tier: o.tier ?? null,
    attempts: o.attempts,
    status: o.status,
    error_code: o.errorCode ?? null,
    input_tokens: o.inputTokens ?? null,
    output_tokens: o.outputTokens ?? null,
    tokens_counted: o.tokensCounted ?? null,
    cost_usd: o.costUsd ?? null,
    reference_cost_usd: o.referenceCostUsd ?? null,
    streamed: o.streamed,
    ttft_ms: o.ttftMs ?? null,
    latency_ms: o.latencyMs,
    pii_categories: o.pii,
    end_user: o.user ?? null,
    tags: o.tags ?? null,
    trace_id: o.traceId ?? null,
    cache: o.cache ?? null,
    cache_saved_usd: o.cacheSavedUsd ?? null,
  };
}

/** A row read back as the outcome it was written from (the principal as far as the ledger keeps it: tenant, key, scopes). */
export function fromLedgerRow(r: LedgerRow): RequestOutcome {
  const o: RequestOutcome = {
    requestId: r.request_id,
    startedAt: new Date(r.created_at).getTime(),
    method: r.method,
    endpoint: r.endpoint,
    attempts: [...r.attempts],
    status: Number(r.status),
    streamed: r.streamed,
    latencyMs: Number(r.latency_ms),
    pii: [...r.pii_categories],
  };
  if (r.tenant_id !== null) o.principal = { tenantId: r.tenant_id, keyId: r.key_id ?? '', scopes: [...(r.scopes ?? [])] };
  if (r.model !== null) o.model = r.model;
  if (r.route !== null) o.route = r.route;
  if (r.backend !== null) o.backend = r.backend;
  if (r.tier !== null) o.tier = r.tier;
  if (r.error_code !== null) o.errorCode = r.error_code;
  if (r.input_tokens !== null) o.inputTokens = Number(r.input_tokens);
  if (r.output_tokens !== null) o.outputTokens = Number(r.output_tokens);
  if (r.tokens_counted !== null) o.tokensCounted = r.tokens_counted;
  if (r.cost_usd !== null) o.costUsd = Number(r.cost_usd);
  if (r.reference_cost_usd !== null) o.referenceCostUsd = Number(r.reference_cost_usd);
  if (r.ttft_ms !== null) o.ttftMs = Number(r.ttft_ms);
  if (r.end_user !== null) o.user = r.end_user;
  if (r.tags !== null) o.tags = [...r.tags];
  if (r.trace_id !== null) o.traceId = r.trace_id;
  if (r.cache !== null) o.cache = r.cache;
  if (r.cache_saved_usd !== null) o.cacheSavedUsd = Number(r.cache_saved_usd);
  return o;
}

/** The UTC day a time falls on, as a partition suffix: `20261130`. */
export function dayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
}
