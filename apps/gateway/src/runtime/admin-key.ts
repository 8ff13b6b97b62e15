import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AdminKeySource {
  key: string;
  /** True when the key was made now; the caller prints it once. */
  generated: boolean;
  path?: string;
}

/**
 * `SWITCHYARD_ADMIN_KEY` when set; else the key stored under the data dir; else a new key,
 * stored there (mode 0600) so a restart keeps it.
 */
export function resolveAdminKey(env: NodeJS.ProcessEnv, dataDir: string): AdminKeySource {
  const fromEnv = env.SWITCHYARD_ADMIN_KEY?.trim();
  if (fromEnv) return { key: fromEnv, generated: false };
  const path = join(dataDir, 'admin-key');
  try {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored) return { key: stored, generated: false, path };
  } catch {
    // No stored key yet.
  }
  const key = `sy-admin-${randomBytes(24).toString('base64url')}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return { key, generated: true, path };
}

/**
 * What the gateway prints at start about its admin key: the key itself only when it was just
 * made; on later starts, where it is stored, so that nobody has to guess.
 */
export function adminKeyNotice(admin: AdminKeySource): string {
  if (admin.generated) {
    return `\nSwitchyard generated an admin key (stored in ${admin.path}; set SWITCHYARD_ADMIN_KEY to choose your own):\n\n  ${admin.key}\n\n`;
  }
  if (admin.path) return `Admin key: stored in ${admin.path} (e.g. KEY=$(cat ${admin.path}); set SWITCHYARD_ADMIN_KEY to choose your own)\n`;
  return 'Admin key: from SWITCHYARD_ADMIN_KEY\n';
}
