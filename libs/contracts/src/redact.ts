import type { BackendConfig } from './config.schema';

// Masks credentials that could ride along in upstream error text or log lines.
const SECRET_PATTERNS: RegExp[] = [
  /\b(sk|rk|pk)-[A-Za-z0-9_-]{8,}/g, // OpenAI, Anthropic (sk-ant-...), most OpenAI-compatible providers
  /\bsy-[A-Za-z0-9_-]{8,}/g, // Switchyard's own keys
  /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\bAIza[0-9A-Za-z_-]{20,}/g, // Google API keys
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Shorter values are not masked: a 3-character "key" would mask ordinary words everywhere. */
export const MIN_SECRET_LENGTH = 8;

/**
 * The secret values this process was configured with (backend API keys, credential headers, the
 * admin key; tenants' provider keys when they exist), masked by value wherever text leaves it:
 * a key of no known shape (plain hex) is still a key. Each owner (a config, a key store) replaces
 * its own set, so a reload drops rotated values without touching another owner's.
 */
export class SecretValues {
  private readonly owners = new Map<unknown, readonly string[]>();
  private values: string[] = [];

  /** Replaces `owner`'s values; empty, undefined and too-short values are ignored. */
  set(owner: unknown, values: Iterable<string | undefined>): void {
    const kept: string[] = [];
    for (const v of values) if (v !== undefined && v.length >= MIN_SECRET_LENGTH) kept.push(v);
    if (kept.length > 0) this.owners.set(owner, kept);
    else this.owners.delete(owner);
    this.rebuild();
  }

  delete(owner: unknown): void {
    if (this.owners.delete(owner)) this.rebuild();
  }

  get size(): number {
    return this.values.length;
  }

  /** `text` with every known value (and its JSON-escaped form) replaced by `[REDACTED]`. */
  redact(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('[REDACTED]');
    return out;
  }

  private rebuild(): void {
    const all = new Set<string>();
    for (const vs of this.owners.values()) {
      for (const v of vs) {
        all.add(v);
        // As it appears inside a JSON string (a serialised log line or error body).
        const escaped = JSON.stringify(v).slice(1, -1);
        if (escaped !== v) all.add(escaped);
      }
    }
    // Longest first, so a value containing another is masked whole.
    this.values = [...all].sort((a, b) => b.length - a.length);
  }
}

/** The process's configured secrets; `redactSecrets` masks them in every text it is given. */
export const secretValues = new SecretValues();

export function redactSecrets(text: string): string {
  let out = secretValues.redact(text);
  for (const re of SECRET_PATTERNS)
    out = out.replace(re, (m, p1: unknown) => (typeof p1 === 'string' && /^bearer/i.test(p1) ? `${p1}[REDACTED]` : '[REDACTED]'));
  return out;
}

/** `text` with one value (and its JSON-escaped form) masked: a key a single call carries, which no owner registers. */
export function maskValue(text: string, value: string): string {
  if (value.length === 0 || text.length === 0) return text;
  let out = text.includes(value) ? text.split(value).join('[REDACTED]') : text;
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value && out.includes(escaped)) out = out.split(escaped).join('[REDACTED]');
  return out;
}

/** Header names whose values are credentials (`OpenAI-Organization` and `anthropic-version` are not). */
const CREDENTIAL_HEADER = /auth|key|token|secret|pass|cookie|credential|session|signature/i;

/** The secret values one backend is configured with: its API key, credential headers, a password in its URL. */
export function backendSecrets(b: Pick<BackendConfig, 'apiKey' | 'headers' | 'baseUrl'>): string[] {
  const out: string[] = [];
  if (b.apiKey) out.push(b.apiKey);
  for (const [name, value] of Object.entries(b.headers ?? {})) {
    if (!CREDENTIAL_HEADER.test(name) || typeof value !== 'string') continue;
    out.push(value);
    // `Authorization: Bearer <token>` may be echoed without its scheme.
    const token = /^\s*\S+\s+(\S+)\s*$/.exec(value)?.[1];
    if (token) out.push(token);
  }
  try {
    const password = decodeURIComponent(new URL(b.baseUrl).password);
    if (password) out.push(password);
  } catch {
    // Validated at load: a bad URL does not get this far.
  }
  return out;
}
