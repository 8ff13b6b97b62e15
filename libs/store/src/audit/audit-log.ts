/** DI token of the AuditLog. */
export const AUDIT_LOG = Symbol('switchyard.AuditLog');

/** One admin action: who did what to which target. `detail` never holds a secret. */
export interface AuditEntry {
  id: string;
  at: string;
  /** The acting principal's key id (`admin` for the admin key). */
  actor: string;
  /** `tenant.create`, `key.revoke`, … */
  action: string;
  targetType: string;
  targetId?: string;
  detail: Record<string, unknown>;
}

export type AuditRecord = Omit<AuditEntry, 'id' | 'at'>;

/** The admin API's audit trail: appended to by every admin action, read newest first. */
export interface AuditLog {
  record(entry: AuditRecord): Promise<AuditEntry>;
  /** Newest first; `before` is the last id of the previous page. */
  list(page?: { limit?: number; before?: string }): Promise<AuditEntry[]>;
}
