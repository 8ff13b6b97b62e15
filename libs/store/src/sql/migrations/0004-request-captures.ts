/**
 * Bodies of the requests of tenants that opted in to capture (`privacy.capture`), PII replaced
 * by placeholders before they get here. Kept by `usage.captureRetentionDays`, pruned by age.
 */
export const sql = `
CREATE TABLE request_captures (
  request_id text NOT NULL,
  created_at timestamptz NOT NULL,
  tenant_id  text NOT NULL,
  request    jsonb NOT NULL,
  response   jsonb,
  PRIMARY KEY (request_id, created_at)
);
CREATE INDEX request_captures_created_at ON request_captures (created_at);
`;
