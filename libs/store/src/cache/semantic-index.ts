import type { CachePurge } from './response-cache';

/** DI token of the SemanticIndex. */
export const SEMANTIC_INDEX = Symbol('switchyard.SemanticIndex');

export interface SemanticMatch {
  /** The exact-cache key the matching vector points at. */
  key: string;
  /** Cosine similarity, -1 to 1. */
  score: number;
}

export interface SemanticQuery {
  tenantId: string;
  /** Everything besides the prompt that must be equal for a hit (model, parameters, embedding model); opaque here. */
  scope: string;
  vector: readonly number[];
  minScore: number;
}

export interface SemanticEntry {
  tenantId: string;
  /** Public model name, for purges. */
  model: string;
  scope: string;
  key: string;
  vector: readonly number[];
}

/**
 * Prompt embeddings pointing at exact-cache entries. A lookup only ever compares vectors of the
 * same tenant and scope, so no tenant can be served (or probe) another's answers.
 */
export interface SemanticIndex {
  /** The most similar live entry with the same tenant AND scope and cosine similarity >= minScore; undefined when none. */
  nearest(q: SemanticQuery): Promise<SemanticMatch | undefined>;
  /** Stores a vector that points at an exact-cache key (replacing one under the same tenant, scope and key); expires after ttlMs. */
  add(entry: SemanticEntry, ttlMs: number): Promise<void>;
  /** Removes every entry of the tenant and/or model (both unset: everything); resolves to how many went. */
  purge(scope: CachePurge): Promise<number>;
  /** Drops expired rows (called periodically by the gateway). */
  prune?(): Promise<number>;
}

/** pgvector's limit for a stored vector; no embedding model comes near it. */
export const MAX_VECTOR_DIMENSIONS = 16_000;

/**
 * The vector scaled to length 1 (so cosine similarity is a dot product). Throws RangeError for
 * one that is empty, too long, not finite, or all zeros (which has no direction to compare).
 */
export function unitVector(vector: readonly number[]): Float64Array {
  if (vector.length === 0 || vector.length > MAX_VECTOR_DIMENSIONS) {
    throw new RangeError(`A semantic cache vector needs 1 to ${MAX_VECTOR_DIMENSIONS} dimensions (got ${vector.length}).`);
  }
  let norm = 0;
  for (const x of vector) {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError('A semantic cache vector holds finite numbers only.');
    norm += x * x;
  }
  if (norm === 0) throw new RangeError('A semantic cache vector must not be all zeros.');
  norm = Math.sqrt(norm);
  const unit = new Float64Array(vector.length);
  for (let i = 0; i < vector.length; i++) unit[i] = vector[i] / norm;
  return unit;
}

/** Throws RangeError unless `minScore` is a finite number. */
export function assertMinScore(minScore: number): void {
  if (typeof minScore !== 'number' || !Number.isFinite(minScore)) throw new RangeError('minScore must be a finite number.');
}
