import { assertTtl, purgeMatches, type CachePurge } from './response-cache';
import { assertMinScore, unitVector, type SemanticEntry, type SemanticIndex, type SemanticMatch, type SemanticQuery } from './semantic-index';

interface Stored {
  id: string;
  group: string;
  tenantId: string;
  model: string;
  key: string;
  /** Unit length; float32 halves the memory and is all the precision an embedding has. */
  vector: Float32Array;
  expiresAt: number;
}

/**
 * Vectors in this process's memory, for a gateway without a database: a brute-force cosine
 * search over the entries of one (tenant, scope). Bounded in entry count: past it the oldest
 * written go first.
 */
export class MemorySemanticIndex implements SemanticIndex {
  /** In write order (a rewrite moves an entry to the end), so the first is the oldest. */
  private readonly entries = new Map<string, Stored>();
  private readonly groups = new Map<string, Map<string, Stored>>();

  constructor(private readonly maxEntries = 10_000) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) throw new RangeError('maxEntries must be a positive integer.');
  }

  nearest(q: SemanticQuery): Promise<SemanticMatch | undefined> {
    // A throw in the executor rejects.
    return new Promise((resolve) => resolve(this.find(q)));
  }

  private find(q: SemanticQuery): SemanticMatch | undefined {
    assertMinScore(q.minScore);
    const query = unitVector(q.vector);
    const group = this.groups.get(groupKey(q.tenantId, q.scope));
    let best: SemanticMatch | undefined;
    if (group !== undefined) {
      const now = Date.now();
      for (const entry of group.values()) {
        if (entry.expiresAt <= now) {
          this.remove(entry);
          continue;
        }
        if (entry.vector.length !== query.length) continue;
        let dot = 0;
        for (let i = 0; i < query.length; i++) dot += query[i] * entry.vector[i];
        const score = Math.max(-1, Math.min(1, dot));
        if (score >= q.minScore && (best === undefined || score > best.score)) best = { key: entry.key, score };
      }
    }
    return best;
  }

  add(entry: SemanticEntry, ttlMs: number): Promise<void> {
    return new Promise((resolve) => {
      // A throw in the executor rejects.
      assertTtl(ttlMs);
      const vector = Float32Array.from(unitVector(entry.vector));
      const group = groupKey(entry.tenantId, entry.scope);
      const id = `${group}${entry.key}`;
      const old = this.entries.get(id);
      if (old !== undefined) this.remove(old);
      const stored: Stored = { id, group, tenantId: entry.tenantId, model: entry.model, key: entry.key, vector, expiresAt: Date.now() + ttlMs };
      this.entries.set(id, stored);
      const members = this.groups.get(group) ?? new Map<string, Stored>();
      this.groups.set(group, members);
      members.set(entry.key, stored);
      for (const oldest of this.entries.values()) {
        if (this.entries.size <= this.maxEntries) break;
        this.remove(oldest);
      }
      resolve();
    });
  }

  purge(scope: CachePurge): Promise<number> {
    const doomed = [...this.entries.values()].filter((e) => purgeMatches(scope, e));
    for (const e of doomed) this.remove(e);
    return Promise.resolve(doomed.length);
  }

  prune(): Promise<number> {
    const now = Date.now();
    const doomed = [...this.entries.values()].filter((e) => e.expiresAt <= now);
    for (const e of doomed) this.remove(e);
    return Promise.resolve(doomed.length);
  }

  /** Entries held, expired ones included until a lookup or prune meets them. */
  get size(): number {
    return this.entries.size;
  }

  private remove(entry: Stored): void {
    this.entries.delete(entry.id);
    const members = this.groups.get(entry.group);
    members?.delete(entry.key);
    if (members?.size === 0) this.groups.delete(entry.group);
  }
}

/** Tenant and scope, length-prefixed so no pair spells another's. */
function groupKey(tenantId: string, scope: string): string {
  return `${tenantId.length}:${tenantId}:${scope.length}:${scope}:`;
}
