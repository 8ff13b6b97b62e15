import type { Queryable } from '../sql/database';
import { dayKey } from './ledger-record.mapper';

const DAY_MS = 86_400_000;
const PARTITION = /^usage_ledger_(\d{8})$/;

/** SQLSTATEs of a partition another replica created a moment before this one tried. */
const ALREADY_THERE = new Set(['42P07', '23505']);

/**
 * The daily partitions of `usage_ledger`: which exist (read once, then cached), creating those a
 * batch needs plus today and the days ahead, and dropping whole days past retention along with
 * their hourly rollups.
 */
export class LedgerPartitions {
  private known?: Set<string>;

  constructor(
    private readonly db: Queryable,
    private readonly daysAhead = 2,
  ) {}

  /** Forgets what exists (a partition dropped elsewhere); the next `ensure` reads the catalog again. */
  forget(): void {
    this.known = undefined;
  }

  /** Whether the catalog has been read yet: the first contact with the database. */
  get loaded(): boolean {
    return this.known !== undefined;
  }

  /** Makes sure the partitions of these days (`20261130`) exist, and those of today and the days ahead. */
  async ensure(days: Iterable<string>, now: number): Promise<void> {
    const known = this.known ?? (await this.load());
    const wanted = new Set(days);
    for (let d = 0; d <= this.daysAhead; d++) wanted.add(dayKey(now + d * DAY_MS));
    for (const day of [...wanted].sort()) {
      if (known.has(day)) continue;
      const from = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}T00:00:00Z`;
      const to = new Date(Date.parse(from) + DAY_MS).toISOString();
      try {
        await this.db.query(`CREATE TABLE IF NOT EXISTS usage_ledger_${day} PARTITION OF usage_ledger FOR VALUES FROM ('${from}') TO ('${to}')`);
      } catch (err) {
        if (!ALREADY_THERE.has((err as { code?: string }).code ?? '')) throw err;
      }
      known.add(day);
    }
  }

  /**
   * Drops the days wholly older than `retentionDays` (a partition is kept while any of its day is
   * younger) and their hourly rollups. Returns the days dropped.
   */
  async dropExpired(retentionDays: number, now: number): Promise<string[]> {
    const known = this.known ?? (await this.load());
    const oldestKept = dayKey(now - retentionDays * DAY_MS);
    const expired = [...known].filter((day) => day < oldestKept).sort();
    for (const day of expired) {
      await this.db.query(`DROP TABLE IF EXISTS usage_ledger_${day}`);
      known.delete(day);
    }
    const keptFrom = `${oldestKept.slice(0, 4)}-${oldestKept.slice(4, 6)}-${oldestKept.slice(6, 8)}T00:00:00Z`;
    await this.db.query('DELETE FROM usage_hourly WHERE hour < $1', [keptFrom]);
    return expired;
  }

  private async load(): Promise<Set<string>> {
    const rows = await this.db.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_ledger'::regclass",
    );
    this.known = new Set(rows.map((r) => PARTITION.exec(r.name)?.[1]).filter((d): d is string => d !== undefined));
    return this.known;
  }
}
