import type { Database } from '../sql/database';
import { assertTtl, type CachePurge } from './response-cache';
import { assertMinScore, unitVector, type SemanticEntry, type SemanticIndex, type SemanticMatch, type SemanticQuery } from './semantic-index';

export interface SqlSemanticIndexOptions {
  /**
   * Scan mode only: how many of a (tenant, scope)'s newest rows a lookup compares (default 500).
   * The dot products run in SQL element by element (~0.15-0.25 ms per 768-dimension row on a
   * small server), so this bounds a lookup's cost; older rows of a larger scope go unseen.
   */
  maxScanRows?: number;
  /** Rows a prune deletes per statement (default 5000). */
  pruneBatch?: number;
}

interface Statements {
  nearest: string;
  add: string;
  /** Text form of a unit vector that `nearest` and `add` cast to the column's type. */
  literal(unit: Float64Array): string;
}

/**
 * Vectors in the `semantic_cache` table (migration 5). Its `mode` is what the migration found:
 * `pgvector` — a `vector` column, distances computed by pgvector (`<=>`); `scan` — a `real[]`
 * column, the dot products of unit vectors computed in SQL over the scope's newest rows
 * (slower; the gateway says so once at start). Either way the search is exact within one
 * (tenant, scope): see the migration for why there is no approximate index. Vectors are stored
 * at unit length, and expiry uses the database's clock, shared by every replica.
 */
export class SqlSemanticIndex implements SemanticIndex {
  private readonly pruneBatch: number;

  private constructor(
    private readonly db: Database,
    readonly mode: 'pgvector' | 'scan',
    private readonly statements: Statements,
    options: SqlSemanticIndexOptions,
  ) {
    this.pruneBatch = options.pruneBatch ?? 5_000;
  }

  /** Reads which mode the table is in (so it opens, and migrates, a lazy database). */
  static async open(db: Database, options: SqlSemanticIndexOptions = {}): Promise<SqlSemanticIndex> {
    const maxScanRows = options.maxScanRows ?? 500;
    if (!Number.isSafeInteger(maxScanRows) || maxScanRows <= 0) throw new RangeError('maxScanRows must be a positive integer.');
    const rows = await db.query<{ type: string; schema: string }>(
      `SELECT t.typname AS type, n.nspname AS schema
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE a.attrelid = to_regclass('semantic_cache') AND a.attname = 'embedding' AND NOT a.attisdropped`,
    );
    if (rows.length === 0) throw new Error(`The semantic cache's table is missing in schema ${db.schema}: the database needs its migrations.`);
    const { type, schema } = rows[0];
    if (type === 'vector') return new SqlSemanticIndex(db, 'pgvector', pgvectorStatements(quoteIdent(schema)), options);
    if (type === '_float4') return new SqlSemanticIndex(db, 'scan', scanStatements(maxScanRows), options);
    throw new Error(`The semantic cache's embedding column has an unexpected type (${schema}.${type}).`);
  }

  async nearest(q: SemanticQuery): Promise<SemanticMatch | undefined> {
    assertMinScore(q.minScore);
    const unit = unitVector(q.vector);
    const rows = await this.db.query<{ key: string; score: number }>(this.statements.nearest, [
      q.tenantId,
      q.scope,
      this.statements.literal(unit),
      unit.length,
    ]);
    if (rows.length === 0) return undefined;
    // Stored as float32: a vector compared with itself may come out a hair past 1.
    const score = Math.max(-1, Math.min(1, Number(rows[0].score)));
    return score >= q.minScore ? { key: rows[0].key, score } : undefined;
  }

  async add(entry: SemanticEntry, ttlMs: number): Promise<void> {
    assertTtl(ttlMs);
    const unit = unitVector(entry.vector);
    await this.db.query(this.statements.add, [entry.tenantId, entry.scope, entry.key, entry.model, unit.length, this.statements.literal(unit), ttlMs]);
  }

  async purge(scope: CachePurge): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM semantic_cache WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR model = $2) RETURNING 1
       ) SELECT count(*)::int AS n FROM gone`,
      [scope.tenantId ?? null, scope.model ?? null],
    );
    return rows[0].n;
  }

  /** Deletes expired rows a batch per statement (no long lock on a large backlog); resolves to how many went. */
  async prune(): Promise<number> {
    let removed = 0;
    for (let round = 0; round < 1_000; round++) {
      const rows = await this.db.query<{ n: number }>(
        `WITH doomed AS (
           SELECT tenant_id, scope, key FROM semantic_cache WHERE expires_at <= now() LIMIT $1
         ), gone AS (
           DELETE FROM semantic_cache s USING doomed d
            WHERE s.tenant_id = d.tenant_id AND s.scope = d.scope AND s.key = d.key AND s.expires_at <= now()
           RETURNING 1
         ) SELECT count(*)::int AS n FROM gone`,
        [this.pruneBatch],
      );
      removed += rows[0].n;
      if (rows[0].n < this.pruneBatch) break;
    }
    return removed;
  }
}

// $1 tenant, $2 scope, $3 key, $4 model, $5 dimension, $6 vector, $7 ttl in ms.
const UPSERT = (type: string) => `
  INSERT INTO semantic_cache (tenant_id, scope, key, model, dims, embedding, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6::${type}, now() + $7::float8 * interval '1 millisecond')
  ON CONFLICT (tenant_id, scope, key) DO UPDATE
     SET model = EXCLUDED.model, dims = EXCLUDED.dims, embedding = EXCLUDED.embedding,
         created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`;

function pgvectorStatements(schema: string): Statements {
  const type = `${schema}.vector`;
  return {
    // $1 tenant, $2 scope, $3 query vector, $4 its dimension. The WHERE leaves rows of the query's
    // dimension only, before any distance is computed (pgvector refuses to compare others).
    nearest: `
      SELECT key, 1 - (embedding OPERATOR(${schema}.<=>) $3::${type}) AS score
        FROM semantic_cache
       WHERE tenant_id = $1 AND scope = $2 AND dims = $4 AND expires_at > now()
       ORDER BY score DESC NULLS LAST
       LIMIT 1`,
    add: UPSERT(type),
    literal: (unit) => `[${unit.join(',')}]`,
  };
}

function scanStatements(maxRows: number): Statements {
  return {
    // As above; unit vectors, so the dot product is the cosine.
    nearest: `
      SELECT c.key, (SELECT sum(u.a * u.b) FROM unnest(c.embedding::float8[], $3::float8[]) AS u(a, b)) AS score
        FROM (SELECT key, embedding FROM semantic_cache
               WHERE tenant_id = $1 AND scope = $2 AND dims = $4 AND expires_at > now()
               ORDER BY created_at DESC LIMIT ${maxRows}) c
       ORDER BY score DESC NULLS LAST
       LIMIT 1`,
    add: UPSERT('real[]'),
    literal: (unit) => `{${unit.join(',')}}`,
  };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
