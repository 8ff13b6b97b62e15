import { SqlSemanticIndex, type CachePurge, type Database, type SemanticIndex, type SemanticMatch } from '@switchyard/store';
import type { Logger } from '@switchyard/telemetry';

/**
 * The database's semantic index, opened on first use: a gateway whose tenants never ask for near
 * matches does not open (or wait for) its database for them. Says once how it searches.
 */
export class LazySemanticIndex implements SemanticIndex {
  private opening?: Promise<SqlSemanticIndex>;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  private index(): Promise<SqlSemanticIndex> {
    this.opening ??= SqlSemanticIndex.open(this.db).then(
      (index) => {
        if (index.mode === 'scan') {
          this.log.warn('PostgreSQL has no pgvector (the `vector` extension): near matches are found by scanning the newest vectors that share a scope');
        }
        return index;
      },
      (err: unknown) => {
        this.opening = undefined; // tried again on the next use
        throw err;
      },
    );
    return this.opening;
  }

  async nearest(q: Parameters<SemanticIndex['nearest']>[0]): Promise<SemanticMatch | undefined> {
    return (await this.index()).nearest(q);
  }

  async add(entry: Parameters<SemanticIndex['add']>[0], ttlMs: number): Promise<void> {
    return (await this.index()).add(entry, ttlMs);
  }

  async purge(scope: CachePurge): Promise<number> {
    return (await this.index()).purge(scope);
  }

  async prune(): Promise<number> {
    return (await this.index()).prune();
  }
}
