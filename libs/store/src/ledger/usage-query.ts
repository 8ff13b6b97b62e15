import type { RequestOutcome } from '@switchyard/contracts';

/** DI token of the UsageQuery. */
export const USAGE_QUERY = Symbol('switchyard.UsageQuery');

/** What usage can be grouped by: one dimension of the hourly rollups, or a time bucket. */
export const USAGE_GROUPS = ['model', 'backend', 'tier', 'key', 'tenant', 'day', 'hour'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

/** The figures of a group of requests (or of all of them). */
export interface UsageFigures {
  requests: number;
  /** Requests whose final status was 400 or above (client aborts, 499, included). */
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** What the same tokens would have cost all-cloud (see RequestOutcome.referenceCostUsd). */
  referenceCostUsd: number;
  /** Requests a local-tier backend served. */
  localRequests: number;
  /** Input plus output tokens of those. */
  localTokens: number;
  /** Requests the response cache answered (exact or near match). */
  cacheHits: number;
  /** USD those hits saved: what asking their backends again would have cost, minus what the hits were charged. */
  cacheSavedUsd: number;
}

export interface UsageRow extends UsageFigures {
  /** The group's values, keyed by dimension (`{ model: 'chat' }`, `{ day: '2026-11-30', model: 'chat' }`); `{}` when not grouped. */
  group: Partial<Record<UsageGroup, string>>;
}

export interface UsageFilter {
  /** Unset: every tenant (the admin view). */
  tenantId?: string;
  /** Inclusive; rounded down to its hour (the rollups are hourly). */
  since: Date;
  /** Exclusive; rounded up to its hour. */
  until: Date;
  /** Dimensions to group by, together (`['day', 'model']`); none: one row of totals. */
  groupBy: readonly UsageGroup[];
}

export interface UsageReport {
  /** The window read: whole hours (the filter's since rounded down, its until rounded up). */
  since: Date;
  until: Date;
  /** One row per group value, ordered by the group (time ascending, else by cost descending). */
  data: UsageRow[];
  totals: UsageFigures;
}

export interface RequestSearch {
  tenantId?: string;
  /** An exact final status. */
  status?: number;
  since?: Date;
  until?: Date;
  /** From a previous page's `nextCursor`. */
  cursor?: string;
  /** At most this many records (newest first). */
  limit: number;
}

export interface RequestPage {
  data: RequestOutcome[];
  /** Set when more records match: pass it as `cursor` for the next page. */
  nextCursor?: string;
}

/**
 * Reads the usage ledger: usage from the hourly rollups (never the raw rows), single records and
 * a search over them. A PostgreSQL implementation reads its tables; there is no other.
 */
export interface UsageQuery {
  usage(filter: UsageFilter): Promise<UsageReport>;
  /** The newest record with this request id, within the tenant when one is given. */
  request(requestId: string, tenantId?: string): Promise<RequestOutcome | undefined>;
  requests(search: RequestSearch): Promise<RequestPage>;
}
