import { randomUUID } from 'node:crypto';
import type { SemanticIndex } from './semantic-index';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A vector of `dims` at cosine `cos` from the first axis (and `sin` along the second). */
const at = (cos: number, dims = 8) => {
  const v = new Array<number>(dims).fill(0);
  v[0] = cos;
  v[1] = Math.sqrt(Math.max(0, 1 - cos * cos));
  return v;
};
const axis = (i: number, dims = 8) => Array.from({ length: dims }, (_, j) => (j === i ? 1 : 0));

/** Deterministic pseudo-random numbers (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/**
 * What every SemanticIndex keeps, run by each implementation's spec (memory, PGlite with
 * pgvector, PostgreSQL in the mode its server allows). Tenants are fresh per test; the purge of
 * everything needs an index of the spec's own (SQL: a schema per spec file). For specs only.
 */
export function describeSemanticIndexContract(name: string, make: () => SemanticIndex | Promise<SemanticIndex>): void {
  describe(`${name} (SemanticIndex contract)`, () => {
    const model = 'chat';
    const scope = 'chat|temperature=0';
    let index: SemanticIndex;
    let a: string;
    let b: string;
    beforeAll(async () => {
      index = await make();
    });
    beforeEach(() => {
      const id = randomUUID();
      [a, b] = [`a-${id}`, `b-${id}`];
    });

    it('finds a vector by itself, and the nearest of several, with its cosine as score', async () => {
      await index.add({ tenantId: a, model, scope, key: 'x', vector: axis(0) }, 60_000);
      await index.add({ tenantId: a, model, scope, key: 'y', vector: axis(1) }, 60_000);
      await index.add({ tenantId: a, model, scope, key: 'near', vector: at(0.9) }, 60_000);
      const self = await index.nearest({ tenantId: a, scope, vector: axis(1), minScore: 0.99 });
      expect(self?.key).toBe('y');
      expect(self?.score).toBeCloseTo(1, 5);
      const near = await index.nearest({ tenantId: a, scope, vector: at(0.85), minScore: 0.5 });
      expect(near?.key).toBe('near');
      expect(near?.score).toBeCloseTo(cosine(at(0.85), at(0.9)), 5);
    });

    it('matches only at or above minScore', async () => {
      await index.add({ tenantId: a, model, scope, key: 'k', vector: axis(0) }, 60_000);
      expect((await index.nearest({ tenantId: a, scope, vector: at(0.9), minScore: 0.89 }))?.key).toBe('k');
      expect(await index.nearest({ tenantId: a, scope, vector: at(0.9), minScore: 0.91 })).toBeUndefined();
      expect(await index.nearest({ tenantId: a, scope, vector: at(-1), minScore: 0 })).toBeUndefined();
      const opposite = await index.nearest({ tenantId: a, scope, vector: at(-1), minScore: -1 });
      expect(opposite?.score).toBeCloseTo(-1, 5);
    });

    it('compares directions, not lengths', async () => {
      await index.add({ tenantId: a, model, scope, key: 'k', vector: at(0.6).map((x) => x * 1000) }, 60_000);
      const hit = await index.nearest({ tenantId: a, scope, vector: at(0.6).map((x) => x / 1000), minScore: 0.999 });
      expect(hit?.key).toBe('k');
      expect(hit?.score).toBeCloseTo(1, 5);
    });

    it("never matches another tenant's or another scope's vector, even an identical one", async () => {
      await index.add({ tenantId: a, model, scope, key: 'a-key', vector: axis(0) }, 60_000);
      expect(await index.nearest({ tenantId: b, scope, vector: axis(0), minScore: -1 })).toBeUndefined();
      expect(await index.nearest({ tenantId: a, scope: `${scope}|seed=1`, vector: axis(0), minScore: -1 })).toBeUndefined();
      await index.add({ tenantId: b, model, scope, key: 'b-key', vector: axis(1) }, 60_000);
      expect((await index.nearest({ tenantId: b, scope, vector: axis(0), minScore: -1 }))?.key).toBe('b-key');
      expect((await index.nearest({ tenantId: a, scope, vector: axis(1), minScore: -1 }))?.key).toBe('a-key');
    });

    it('keeps tenant and scope apart whatever characters they hold', async () => {
      await index.add({ tenantId: `${a}:x`, model, scope: 'y', key: 'k', vector: axis(0) }, 60_000);
      expect(await index.nearest({ tenantId: a, scope: 'x:y', vector: axis(0), minScore: -1 })).toBeUndefined();
      expect(await index.nearest({ tenantId: `${a}:x`, scope: 'y', vector: axis(0), minScore: -1 })).toBeDefined();
    });

    it('compares only vectors of the same dimension (another embedding model in one scope)', async () => {
      await index.add({ tenantId: a, model, scope, key: 'eight', vector: axis(0, 8) }, 60_000);
      await index.add({ tenantId: a, model, scope, key: 'four', vector: axis(0, 4) }, 60_000);
      expect((await index.nearest({ tenantId: a, scope, vector: axis(0, 4), minScore: 0.9 }))?.key).toBe('four');
      expect((await index.nearest({ tenantId: a, scope, vector: axis(0, 8), minScore: 0.9 }))?.key).toBe('eight');
      expect(await index.nearest({ tenantId: a, scope, vector: axis(0, 5), minScore: -1 })).toBeUndefined();
    });

    it('finds what a brute-force search finds, among many vectors', async () => {
      const next = random(13);
      const vectors = Array.from({ length: 150 }, () => Array.from({ length: 32 }, () => next() * 2 - 1));
      for (let i = 0; i < vectors.length; i += 25) {
        await Promise.all(vectors.slice(i, i + 25).map((vector, j) => index.add({ tenantId: a, model, scope, key: `v${i + j}`, vector }, 60_000)));
      }
      for (let q = 0; q < 10; q++) {
        const query = Array.from({ length: 32 }, () => next() * 2 - 1);
        const scores = vectors.map((v) => cosine(query, v));
        const best = scores.indexOf(Math.max(...scores));
        const hit = await index.nearest({ tenantId: a, scope, vector: query, minScore: -1 });
        expect(hit?.key).toBe(`v${best}`);
        expect(hit?.score).toBeCloseTo(scores[best], 5);
      }
    });

    it('replaces the vector of a key added again', async () => {
      await index.add({ tenantId: a, model, scope, key: 'k', vector: axis(0) }, 60_000);
      await index.add({ tenantId: a, model, scope, key: 'k', vector: axis(1) }, 60_000);
      expect(await index.nearest({ tenantId: a, scope, vector: axis(0), minScore: 0.5 })).toBeUndefined();
      expect((await index.nearest({ tenantId: a, scope, vector: axis(1), minScore: 0.5 }))?.key).toBe('k');
    });

    it('never matches an entry after its ttl', async () => {
      await index.add({ tenantId: a, model, scope, key: 'short', vector: axis(0) }, 100);
      await index.add({ tenantId: a, model, scope, key: 'long', vector: axis(1) }, 60_000);
      expect((await index.nearest({ tenantId: a, scope, vector: axis(0), minScore: 0.9 }))?.key).toBe('short');
      await sleep(200);
      expect(await index.nearest({ tenantId: a, scope, vector: axis(0), minScore: 0.9 })).toBeUndefined();
      expect((await index.nearest({ tenantId: a, scope, vector: axis(0), minScore: -1 }))?.key).toBe('long');
    });

    it('prunes expired entries, and only those', async () => {
      const prune = index.prune!.bind(index);
      await index.add({ tenantId: a, model, scope, key: 'short', vector: axis(0) }, 50);
      await index.add({ tenantId: a, model, scope, key: 'long', vector: axis(1) }, 60_000);
      await sleep(100);
      expect(await prune()).toBeGreaterThanOrEqual(1);
      expect(await prune()).toBe(0);
      expect((await index.nearest({ tenantId: a, scope, vector: axis(0), minScore: -1 }))?.key).toBe('long');
    });

    it('purges by tenant, by model, by both and everything, saying how many went', async () => {
      // Each (model, i) on an axis of its own, so a lookup by that axis finds that entry or none.
      const axisOf = (m: string, i: number) => (m === 'chat' ? 0 : 2) + i;
      const entries = [a, b].flatMap((tenantId) => ['chat', 'code'].flatMap((m) => [0, 1].map((i) => ({ tenantId, model: m, key: `${m}-${i}`, i }))));
      const fill = () =>
        Promise.all(entries.map((e) => index.add({ tenantId: e.tenantId, model: e.model, scope, key: e.key, vector: axis(axisOf(e.model, e.i)) }, 60_000)));
      // For each of a/chat, a/code, b/chat, b/code: how many of its two entries are found.
      const present = async () =>
        Promise.all(
          [a, b].flatMap((tenantId) =>
            ['chat', 'code'].map(async (m) => {
              const hits = await Promise.all([0, 1].map((i) => index.nearest({ tenantId, scope, vector: axis(axisOf(m, i)), minScore: 0.99 })));
              return hits.filter((h, i) => h?.key === `${m}-${i}`).length;
            }),
          ),
        );

      await fill();
      expect(await index.purge({ tenantId: a, model: 'chat' })).toBe(2);
      expect(await present()).toEqual([0, 2, 2, 2]);
      expect(await index.purge({ tenantId: a })).toBe(2);
      expect(await present()).toEqual([0, 0, 2, 2]);
      expect(await index.purge({ tenantId: a })).toBe(0);

      await fill();
      expect(await index.purge({ model: 'code' })).toBeGreaterThanOrEqual(4);
      expect(await index.purge({ tenantId: b })).toBe(2);
      expect(await index.purge({ tenantId: a })).toBe(2);

      await fill();
      expect(await index.purge({})).toBeGreaterThanOrEqual(entries.length);
      expect(await present()).toEqual([0, 0, 0, 0]);
    });

    it('refuses vectors it cannot compare, a bad ttl and a bad threshold', async () => {
      const entry = { tenantId: a, model, scope, key: 'k' };
      await expect(index.add({ ...entry, vector: [] }, 60_000)).rejects.toThrow(RangeError);
      await expect(index.add({ ...entry, vector: [0, 0, 0] }, 60_000)).rejects.toThrow(RangeError);
      await expect(index.add({ ...entry, vector: [1, Number.NaN] }, 60_000)).rejects.toThrow(RangeError);
      await expect(index.add({ ...entry, vector: [1, Number.POSITIVE_INFINITY] }, 60_000)).rejects.toThrow(RangeError);
      await expect(index.add({ ...entry, vector: [1, 0] }, 0)).rejects.toThrow(RangeError);
      await expect(index.nearest({ tenantId: a, scope, vector: [0, 0], minScore: 0.5 })).rejects.toThrow(RangeError);
      await expect(index.nearest({ tenantId: a, scope, vector: [1, 0], minScore: Number.NaN })).rejects.toThrow(RangeError);
      expect(await index.nearest({ tenantId: a, scope, vector: [1, 0], minScore: 0 })).toBeUndefined();
    });
  });
}
