/** Tenants, their API keys (stored as keyed hashes), provider credentials (encrypted) and the admin audit log. */
export const sql = `
CREATE TABLE tenants (
  id             text PRIMARY KEY,
  seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  name           text NOT NULL UNIQUE,
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  allowed_models text[],
  privacy        jsonb,
  limits         jsonb,
  budgets        jsonb,
  metadata       jsonb NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id                  text PRIMARY KEY,
  seq                 bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  tenant_id           text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name                text NOT NULL,
  hash                bytea NOT NULL UNIQUE,
  prefix              text NOT NULL,
  scopes              text[] NOT NULL DEFAULT '{inference}',
  previous_hash       bytea UNIQUE,
  previous_valid_until timestamptz,
  limits              jsonb,
  budgets             jsonb,
  expires_at          timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  last_used_at        timestamptz,
  revoked_at          timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE provider_credentials (
  tenant_id  text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  backend    text NOT NULL,
  ciphertext bytea NOT NULL,
  hint       text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, backend)
);

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,
  target_type text NOT NULL,
  target_id   text,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
`;
