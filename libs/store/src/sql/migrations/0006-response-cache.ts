/**
 * The response cache's settings per tenant, and what the cache did for each request: the ledger
 * records a hit with the cost it saved, and the hourly rollups count hits and savings.
 */
export const sql = `
ALTER TABLE tenants ADD COLUMN cache jsonb;
ALTER TABLE usage_ledger ADD COLUMN cache text, ADD COLUMN cache_saved_usd double precision;
ALTER TABLE usage_hourly ADD COLUMN cache_hits bigint NOT NULL DEFAULT 0, ADD COLUMN cache_saved_usd double precision NOT NULL DEFAULT 0;
`;
