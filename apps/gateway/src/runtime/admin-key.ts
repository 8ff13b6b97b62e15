import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface AdminKeySource {
  key: string;
  /** True when the key was made now; the caller prints it once. */
  generated: boolean;
  path?: string;
}

/** `create: false` (a worker of SWITCHYARD_WORKERS): read what the primary stored before it forked, never make one. */
export interface SecretOptions {
  create?: boolean;
}

/**
 * `SWITCHYARD_ADMIN_KEY` when set; else the key stored under the data dir; else a new key,
 * stored there (mode 0600) so a restart keeps it.
 */
export function resolveAdminKey(env: NodeJS.ProcessEnv, dataDir: string, options: SecretOptions = {}): AdminKeySource {
  return storedSecret(env.SWITCHYARD_ADMIN_KEY, join(dataDir, 'admin-key'), () => `sy-admin-${randomBytes(24).toString('base64url')}`, options);
}

/**
 * The server secret API keys are hashed and provider keys encrypted with: `SWITCHYARD_SECRET`
 * when set, else one generated once and kept under the data dir (mode 0600). Replicas sharing a
 * database must share it: set it explicitly there.
 */
export function resolveServerSecret(env: NodeJS.ProcessEnv, dataDir: string, options: SecretOptions = {}): string {
  return storedSecret(env.SWITCHYARD_SECRET, join(dataDir, 'secret'), () => randomBytes(32).toString('base64url'), options).key;
}

/** A secret from the environment, else from its file, else made now and written there privately. */
function storedSecret(fromEnv: string | undefined, path: string, make: () => string, options: SecretOptions): AdminKeySource {
  const given = fromEnv?.trim();
  if (given) return { key: given, generated: false };
  try {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored) return { key: stored, generated: false, path };
  } catch {
    // Nothing stored yet.
  }
  // Workers started together would each make their own: only the primary makes one, before it forks them.
  if (options.create === false) throw new Error(`${path} is missing or empty: the primary process stores it before it starts the workers`);
  const key = make();
  mkdirSync(dirname(path), { recursive: true });
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
