import type { Database } from './database';
import { sql as tenantsAndKeys } from './migrations/0001-tenants-and-keys';
import { sql as adminTenant } from './migrations/0002-admin-tenant';
import { sql as usageLedger } from './migrations/0003-usage-ledger';
import { sql as requestCaptures } from './migrations/0004-request-captures';
import { sql as semanticCache } from './migrations/0005-semantic-cache';
import { sql as responseCache } from './migrations/0006-response-cache';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every schema change, in order. Applied ones are never edited: a change is a new migration. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'tenants-and-keys', sql: tenantsAndKeys },
  { version: 2, name: 'admin-tenant', sql: adminTenant },
  { version: 3, name: 'usage-ledger', sql: usageLedger },
  { version: 4, name: 'request-captures', sql: requestCaptures },
  { version: 5, name: 'semantic-cache', sql: semanticCache },
  { version: 6, name: 'response-cache', sql: responseCache },
];

/**
 * Brings the schema up to date at start. Replicas starting together serialise on an advisory
 * lock held for the transaction: the first applies what is missing and records it in
 * `switchyard_migrations`, the others then find nothing to do. A failing migration rolls back whole.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`switchyard-migrations/${db.schema}`]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS switchyard_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM switchyard_migrations')).map((r) => r.version));
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO switchyard_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
