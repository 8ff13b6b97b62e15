/**
 * Measures semantic matching on a labelled corpus of prompt pairs (test/support/semantic-pairs.json):
 * each pair is decided as the semantic cache decides a lookup — the last user turns' embeddings
 * within the threshold, the conversation before them identical, their salient signatures equal —
 * and the decisions are scored against the labels. Pure: the embedding is a function passed in.
 */
import { salientSignature } from './semantic-guard';

export type PairKind = 'paraphrase' | 'number' | 'name' | 'negation' | 'history' | 'direction' | 'unrelated';
const KINDS: readonly PairKind[] = ['paraphrase', 'number', 'name', 'negation', 'history', 'direction', 'unrelated'];

export interface Turn {
  role: string;
  content: string;
}

/** One side of a pair: the turns before the last user turn, and that turn. */
export interface PromptSide {
  history?: Turn[];
  prompt: string;
}

export interface SemanticPair {
  id: string;
  kind: PairKind;
  a: PromptSide;
  b: PromptSide;
  expect: 'hit' | 'miss';
  note?: string;
}

export type Embed = (text: string) => readonly number[];

export interface PairDecision {
  hit: boolean;
  /** Cosine similarity of the last user turns' embeddings. */
  score: number;
  sameHistory: boolean;
  sameSignature: boolean;
}

export interface SemanticEvaluation {
  threshold: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  /** TP / (TP + FP); 1 when nothing hit. */
  precision: number;
  /** TP / (TP + FN); 1 when nothing should hit. */
  recall: number;
  /** Pairs labelled miss that would be served each other's answer. */
  falseHits: string[];
  /** Pairs labelled hit that would miss the cache. */
  falseMisses: string[];
  decisions: Record<string, PairDecision>;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`embeddings differ in length: ${a.length} and ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The conversation before the last user turn as the cache compares it: exactly, roles and contents in order. */
export function historyKey(history: readonly Turn[] | undefined): string {
  return JSON.stringify((history ?? []).map((t) => [t.role, t.content]));
}

/** Whether a lookup for `b` would be answered with what was cached for `a`. */
export function decidePair(a: PromptSide, b: PromptSide, embed: Embed, threshold: number): PairDecision {
  const score = cosine(embed(a.prompt), embed(b.prompt));
  const sameHistory = historyKey(a.history) === historyKey(b.history);
  const sameSignature = salientSignature(a.prompt) === salientSignature(b.prompt);
  return { hit: score >= threshold && sameHistory && sameSignature, score, sameHistory, sameSignature };
}

export function evaluatePairs(pairs: readonly SemanticPair[], embed: Embed, threshold: number): SemanticEvaluation {
  // Each text is embedded once however many thresholds or pairs ask for it.
  const memo = new Map<string, readonly number[]>();
  const cached: Embed = (text) => {
    let v = memo.get(text);
    if (v === undefined) memo.set(text, (v = embed(text)));
    return v;
  };
  const result: SemanticEvaluation = {
    threshold,
    truePositives: 0,
    falsePositives: 0,
    falseNegatives: 0,
    trueNegatives: 0,
    precision: 1,
    recall: 1,
    falseHits: [],
    falseMisses: [],
    decisions: {},
  };
  for (const pair of pairs) {
    const d = decidePair(pair.a, pair.b, cached, threshold);
    result.decisions[pair.id] = d;
    if (pair.expect === 'hit') {
      if (d.hit) result.truePositives++;
      else {
        result.falseNegatives++;
        result.falseMisses.push(pair.id);
      }
    } else if (d.hit) {
      result.falsePositives++;
      result.falseHits.push(pair.id);
    } else result.trueNegatives++;
  }
  const { truePositives: tp, falsePositives: fp, falseNegatives: fn } = result;
  result.precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  result.recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  return result;
}

/** Reads a corpus file's JSON, naming the first pair and field that is not as described above. */
export function parsePairs(json: unknown): SemanticPair[] {
  if (!Array.isArray(json)) throw new Error('semantic pairs: expected an array');
  const ids = new Set<string>();
  return json.map((raw: unknown, i) => {
    const at = `semantic pairs[${i}]`;
    if (!isRecord(raw)) throw new Error(`${at}: expected an object`);
    const { id, kind, a, b, expect, note } = raw;
    if (typeof id !== 'string' || id === '') throw new Error(`${at}.id: expected a non-empty string`);
    if (ids.has(id)) throw new Error(`${at}.id: ${id} appears twice`);
    ids.add(id);
    if (!KINDS.includes(kind as PairKind)) throw new Error(`${at}.kind: expected one of ${KINDS.join(', ')}`);
    if (expect !== 'hit' && expect !== 'miss') throw new Error(`${at}.expect: expected hit or miss`);
    if (note !== undefined && typeof note !== 'string') throw new Error(`${at}.note: expected a string`);
    return { id, kind: kind as PairKind, a: side(a, `${at}.a`), b: side(b, `${at}.b`), expect, ...(note === undefined ? {} : { note }) };
  });
}

function side(raw: unknown, at: string): PromptSide {
  if (!isRecord(raw)) throw new Error(`${at}: expected an object`);
  if (typeof raw.prompt !== 'string') throw new Error(`${at}.prompt: expected a string`);
  if (raw.history === undefined) return { prompt: raw.prompt };
  if (!Array.isArray(raw.history)) throw new Error(`${at}.history: expected an array`);
  const history = raw.history.map((t: unknown, j) => {
    if (!isRecord(t) || typeof t.role !== 'string' || typeof t.content !== 'string') throw new Error(`${at}.history[${j}]: expected {role, content}`);
    return { role: t.role, content: t.content };
  });
  return { history, prompt: raw.prompt };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
