import type { Database } from '../sql/database';
import { CredentialCipher } from './credential-cipher';
import { credentialHint, CredentialUnreadableError, type CredentialStore, type ProviderCredential } from './credential-store';

interface CredentialRow {
  tenant_id: string;
  backend: string;
  hint: string;
  updated_at: Date;
}

/** Provider keys in PostgreSQL or PGlite (`provider_credentials`), encrypted with AES-256-GCM (CredentialCipher). */
export class SqlCredentialStore implements CredentialStore {
  private readonly cipher: CredentialCipher;

  constructor(
    private readonly db: Database,
    serverSecret: string | Uint8Array,
  ) {
    this.cipher = new CredentialCipher(serverSecret);
  }

  async set(tenantId: string, backend: string, apiKey: string): Promise<ProviderCredential | undefined> {
    // Nothing is written for a tenant that does not exist; a row replaced keeps its key.
    const rows = await this.db.query<CredentialRow>(
      `INSERT INTO provider_credentials (tenant_id, backend, ciphertext, hint)
       SELECT id, $2, $3, $4 FROM tenants WHERE id = $1
       ON CONFLICT (tenant_id, backend) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, hint = EXCLUDED.hint, updated_at = now()
       RETURNING tenant_id, backend, hint, updated_at`,
      [tenantId, backend, this.cipher.encrypt(apiKey, tenantId, backend), credentialHint(apiKey)],
    );
    return rows.length === 0 ? undefined : toCredential(rows[0]);
  }

  async delete(tenantId: string, backend: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM provider_credentials WHERE tenant_id = $1 AND backend = $2 RETURNING backend', [tenantId, backend]);
    return rows.length > 0;
  }

  async list(tenantId: string): Promise<ProviderCredential[]> {
    const rows = await this.db.query<CredentialRow>(
      'SELECT tenant_id, backend, hint, updated_at FROM provider_credentials WHERE tenant_id = $1 ORDER BY backend',
      [tenantId],
    );
    return rows.map(toCredential);
  }

  async keysOf(tenantId: string): Promise<ReadonlyMap<string, string>> {
    const rows = await this.db.query<{ backend: string; ciphertext: Uint8Array }>('SELECT backend, ciphertext FROM provider_credentials WHERE tenant_id = $1', [
      tenantId,
    ]);
    const keys = new Map<string, string>();
    for (const r of rows) {
      const key = this.cipher.decrypt(r.ciphertext, tenantId, r.backend);
      if (key === undefined) throw new CredentialUnreadableError(tenantId, r.backend);
      keys.set(r.backend, key);
    }
    return keys;
  }
}

function toCredential(r: CredentialRow): ProviderCredential {
  return { tenantId: r.tenant_id, backend: r.backend, hint: r.hint, updatedAt: r.updated_at.toISOString() };
}
