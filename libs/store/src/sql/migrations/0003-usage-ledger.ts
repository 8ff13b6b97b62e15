/**
 * The usage ledger: one row per request in `usage_ledger`, partitioned by day on the request's
 * time so retention drops whole partitions (the ledger sink creates and drops them); and
 * `usage_hourly`, rollups the sink adds to in the same statement that inserts the rows, so usage
 * is read without scanning raw rows. Absent dimensions are '' in the rollups (part of the key).
 */
export const sql = `
CREATE TABLE usage_ledger (
  request_id         text NOT NULL,
  created_at         timestamptz NOT NULL,
  tenant_id          text,
  key_id             text,
  scopes             text[],
  method             text NOT NULL DEFAULT 'POST',
  endpoint           text NOT NULL,
  model              text,
  route              text,
  backend            text,
  tier               text,
  attempts           jsonb NOT NULL DEFAULT '[]',
  status             smallint NOT NULL,
  error_code         text,
  input_tokens       integer,
  output_tokens      integer,
  tokens_counted     boolean,
  cost_usd           double precision,
  reference_cost_usd double precision,
  streamed           boolean NOT NULL,
  ttft_ms            double precision,
  latency_ms         double precision NOT NULL,
  pii_categories     text[] NOT NULL DEFAULT '{}',
  end_user           text,
  tags               text[],
  trace_id           text,
  PRIMARY KEY (request_id, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX usage_ledger_tenant_time ON usage_ledger (tenant_id, created_at DESC);
CREATE INDEX usage_ledger_time ON usage_ledger (created_at DESC);

CREATE TABLE usage_hourly (
  hour               timestamptz NOT NULL,
  tenant_id          text NOT NULL,
  key_id             text NOT NULL,
  model              text NOT NULL,
  backend            text NOT NULL,
  tier               text NOT NULL,
  requests           bigint NOT NULL,
  errors             bigint NOT NULL,
  input_tokens       bigint NOT NULL,
  output_tokens      bigint NOT NULL,
  cost_usd           double precision NOT NULL,
  reference_cost_usd double precision NOT NULL,
  local_requests     bigint NOT NULL,
  local_tokens       bigint NOT NULL,
  PRIMARY KEY (hour, tenant_id, key_id, model, backend, tier)
);
CREATE INDEX usage_hourly_tenant ON usage_hourly (tenant_id, hour);
`;
