/** Where the CLI reads and writes: the process's streams, or a test's. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Standard input, whole (for a provider key piped in). */
  stdin(): string;
}

/** How the CLI prints: tables for people, JSON for scripts (`--json`). */
export interface Output {
  json: boolean;
  io: Io;
}

/**
 * A plain-text table: a header row and left-aligned columns padded to their widest cell. Written
 * here (a dozen lines) rather than adding a table library for it.
 */
export function table(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cells = rows.map((r) => columns.map((c) => text(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

/** One record as `field  value` lines. */
export function details(record: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(record).map((k) => k.length));
  return (
    Object.entries(record)
      .map(([k, v]) => `${k.padEnd(width)}  ${text(v)}`)
      .join('\n') + '\n'
  );
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(text).join(',');
  if (typeof v === 'object') {
    const set = Object.entries(v).filter(([, x]) => x !== undefined && x !== null);
    return set.length === 0 ? '-' : set.map(([k, x]) => `${k}=${text(x)}`).join(' ');
  }
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : '?';
}

export function print(out: Output, value: unknown, human: () => string): void {
  out.io.stdout.write(out.json ? `${JSON.stringify(value, null, 2)}\n` : human());
}
