import type { Database } from '../sql/database';
import type { CapturedExchange, CaptureStore } from './capture-store';

interface CaptureRow {
  request_id: string;
  created_at: Date;
  tenant_id: string;
  request: unknown;
  response: unknown;
}

/** Captured bodies in the `request_captures` table (migration 4). */
export class SqlCaptureStore implements CaptureStore {
  constructor(private readonly db: Database) {}

  async write(exchanges: readonly CapturedExchange[]): Promise<void> {
    if (exchanges.length === 0) return;
    // One statement for the batch: the rows travel as one JSON array.
    const rows = exchanges.map((e) => ({
      request_id: e.requestId,
      created_at: new Date(e.startedAt).toISOString(),
      tenant_id: e.tenantId,
      request: e.request,
      response: e.response ?? null,
    }));
    await this.db.query(
      `INSERT INTO request_captures (request_id, created_at, tenant_id, request, response)
       SELECT request_id, created_at, tenant_id, request, response
         FROM jsonb_to_recordset($1::jsonb) AS r(request_id text, created_at timestamptz, tenant_id text, request jsonb, response jsonb)
       ON CONFLICT (request_id, created_at) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  async read(requestId: string, tenantId?: string): Promise<CapturedExchange | undefined> {
    const rows = await this.db.query<CaptureRow>(
      `SELECT request_id, created_at, tenant_id, request, response FROM request_captures
        WHERE request_id = $1 AND ($2::text IS NULL OR tenant_id = $2)
        ORDER BY created_at DESC LIMIT 1`,
      [requestId, tenantId ?? null],
    );
    if (rows.length === 0) return undefined;
    const r = rows[0];
    const e: CapturedExchange = { requestId: r.request_id, startedAt: r.created_at.getTime(), tenantId: r.tenant_id, request: r.request };
    if (r.response !== null) e.response = r.response;
    return e;
  }

  async prune(before: Date): Promise<number> {
    const rows = await this.db.query<{ n: string }>(
      `WITH gone AS (DELETE FROM request_captures WHERE created_at < $1 RETURNING 1) SELECT count(*)::text AS n FROM gone`,
      [before.toISOString()],
    );
    return Number(rows[0].n);
  }
}
