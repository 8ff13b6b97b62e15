import type { Database } from '../sql/database';
import type { AuditEntry, AuditLog, AuditRecord } from './audit-log';

interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  detail: Record<string, unknown>;
}

const COLUMNS = 'id, at, actor, action, target_type, target_id, detail';

/** The audit log in PostgreSQL or PGlite (the `audit_log` table of migration 1). */
export class SqlAuditLog implements AuditLog {
  constructor(private readonly db: Database) {}

  async record(entry: AuditRecord): Promise<AuditEntry> {
    const rows = await this.db.query<AuditRow>(
      `INSERT INTO audit_log (actor, action, target_type, target_id, detail) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [entry.actor, entry.action, entry.targetType, entry.targetId ?? null, JSON.stringify(entry.detail)],
    );
    return toEntry(rows[0]);
  }

  async list(page: { limit?: number; before?: string } = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(page.limit ?? 100, 1), 1000);
    // Ids only grow, so paging by id is stable while new entries arrive.
    const rows =
      page.before === undefined
        ? await this.db.query<AuditRow>(`SELECT ${COLUMNS} FROM audit_log ORDER BY id DESC LIMIT $1`, [limit])
        : await this.db.query<AuditRow>(`SELECT ${COLUMNS} FROM audit_log WHERE id < $2 ORDER BY id DESC LIMIT $1`, [limit, page.before]);
    return rows.map(toEntry);
  }
}

function toEntry(r: AuditRow): AuditEntry {
  const e: AuditEntry = { id: String(r.id), at: r.at.toISOString(), actor: r.actor, action: r.action, targetType: r.target_type, detail: r.detail };
  if (r.target_id !== null) e.targetId = r.target_id;
  return e;
}
