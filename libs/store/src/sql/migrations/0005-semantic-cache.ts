/**
 * The semantic cache's vectors: prompt embeddings pointing at exact-cache keys, looked up within
 * one (tenant, scope). With pgvector the column is `vector` (created here when the server offers
 * it and we may; in the `public` schema when there is one, as extensions are database-wide and a
 * deployment's own schema may be dropped); otherwise `real[]`, compared by a scan. Which one it
 * became is read back from the column by SqlSemanticIndex (its `mode`).
 *
 * The vector has no dimension (typmod): embedding models differ, `dims` holds each row's, and a
 * lookup compares only rows of its own dimension. No ANN index (HNSW/IVFFlat): a lookup is an
 * exact search over one scope's rows, found through the primary key's (tenant_id, scope) prefix —
 * few rows, and exact where an approximate index filtered by tenant and scope loses recall.
 */
export const sql = `
DO $$
DECLARE
  ext_schema text;
BEGIN
  SELECT n.nspname INTO ext_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector';
  IF ext_schema IS NULL AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') THEN
        CREATE EXTENSION IF NOT EXISTS vector SCHEMA public;
      ELSE
        CREATE EXTENSION IF NOT EXISTS vector;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      -- Not ours to create (pgvector is not a trusted extension: it takes a superuser), or a
      -- replica created it first: either way the lookup below says what there is.
      NULL;
    END;
    SELECT n.nspname INTO ext_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector';
  END IF;
  EXECUTE format(
    'CREATE TABLE semantic_cache (
       tenant_id  text NOT NULL,
       scope      text NOT NULL,
       key        text NOT NULL,
       model      text NOT NULL,
       dims       integer NOT NULL,
       embedding  %s NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       expires_at timestamptz NOT NULL,
       PRIMARY KEY (tenant_id, scope, key)
     )',
    CASE WHEN ext_schema IS NULL THEN 'real[]' ELSE quote_ident(ext_schema) || '.vector' END
  );
END
$$;
CREATE INDEX semantic_cache_expires_at ON semantic_cache (expires_at);
`;
