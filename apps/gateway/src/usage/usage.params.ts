import { USAGE_GROUPS, type UsageGroup } from '@switchyard/store';
import { InvalidFieldsError } from '../errors/invalid-fields.error';

/** The groups a tenant's key may ask for on /v1/usage; the admin view adds `tenant`. */
export const TENANT_USAGE_GROUPS: readonly UsageGroup[] = USAGE_GROUPS.filter((g) => g !== 'tenant');

export const USAGE_FORMATS = ['json', 'csv'] as const;
export type UsageFormat = (typeof USAGE_FORMATS)[number];

export interface UsageParams {
  since: Date;
  until: Date;
  groupBy: UsageGroup[];
  format: UsageFormat;
}

const DEFAULT_SPAN_MS = 30 * 86_400_000;
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 };
const RELATIVE = /^(\d{1,6})([dhm])$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const TIME_HELP = 'must be an ISO 8601 date or time (2026-11-01, 2026-11-01T12:00:00Z) or an age: a number of days, hours or minutes (7d, 24h, 30m)';

/** A query parameter given at most once: a repeated one is refused rather than one of its values guessed. */
export function single(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  throw new InvalidFieldsError([{ field, message: 'must be given once' }]);
}

/** `7d`, `24h`, `30m` back from now, or an ISO 8601 date (midnight UTC) or time (UTC when it names no offset). */
export function parseTime(raw: string | undefined, field: string, now: number): Date | undefined {
  if (raw === undefined || raw === '') return undefined;
  const relative = RELATIVE.exec(raw);
  if (relative !== null) return new Date(now - Number(relative[1]) * UNIT_MS[relative[2]]);
  let text: string | undefined;
  if (ISO_DATE.test(raw)) text = `${raw}T00:00:00Z`;
  else {
    const time = ISO_TIME.exec(raw);
    if (time !== null) text = `${raw.replace(' ', 'T')}${time[1] === undefined ? 'Z' : ''}`;
  }
  const ms = text === undefined ? Number.NaN : Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidFieldsError([{ field, message: TIME_HELP }]);
  return new Date(ms);
}

/** `since` and `until` of a query, when given; since must come first. */
export function parseWindow(query: { since?: unknown; until?: unknown }, now: number): { since?: Date; until?: Date } {
  const since = parseTime(single(query.since, 'since'), 'since', now);
  const until = parseTime(single(query.until, 'until'), 'until', now);
  if (since !== undefined && until !== undefined) inOrder(since, until);
  return { since, until };
}

function inOrder(since: Date, until: Date): void {
  if (since.getTime() >= until.getTime()) throw new InvalidFieldsError([{ field: 'since', message: 'must be before until' }]);
}

/** `group_by=day,model` (or the parameter repeated): dimensions from `allowed`, each once, in the order given. */
export function parseGroupBy(raw: unknown, allowed: readonly UsageGroup[]): UsageGroup[] {
  if (raw === undefined) return [];
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [String(v)])).map((s) => s.trim());
  const groups: UsageGroup[] = [];
  for (const part of parts.filter(Boolean)) {
    const group = allowed.find((g) => g === part);
    if (group === undefined) throw new InvalidFieldsError([{ field: 'group_by', message: `must be a comma-separated list of ${allowed.join(', ')}` }]);
    if (!groups.includes(group)) groups.push(group);
  }
  return groups;
}

export function parseFormat(raw: unknown): UsageFormat {
  const value = single(raw, 'format') ?? 'json';
  const format = USAGE_FORMATS.find((f) => f === value);
  if (format === undefined) throw new InvalidFieldsError([{ field: 'format', message: 'must be json or csv' }]);
  return format;
}

/** Everything a usage query takes; the window defaults to the 30 days up to now. */
export function parseUsageParams(query: Record<string, unknown>, allowed: readonly UsageGroup[], now = Date.now()): UsageParams {
  const window = parseWindow(query, now);
  const until = window.until ?? new Date(now);
  const since = window.since ?? new Date(until.getTime() - DEFAULT_SPAN_MS);
  inOrder(since, until);
  return { since, until, groupBy: parseGroupBy(query.group_by, allowed), format: parseFormat(query.format) };
}

/** An exact final HTTP status. */
export function parseStatus(raw: unknown): number | undefined {
  const value = single(raw, 'status');
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^\d{3}$/.test(value) || n < 100 || n > 599) throw new InvalidFieldsError([{ field: 'status', message: 'must be an HTTP status from 100 to 599' }]);
  return n;
}
