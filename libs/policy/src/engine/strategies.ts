import type { Strategy } from '@switchyard/contracts';
import { DEFAULT_OUTPUT_TOKENS, DEFAULT_TOKENS_PER_SEC, requestCostUsd } from '../cost';
import type { BackendSnapshot, RequestFeatures, RouteCandidate } from './policy.types';

/** A candidate with everything a strategy weighs. */
export interface Scored {
  candidate: RouteCandidate;
  /** Position in the configured chain: the operator's own preference. */
  order: number;
  state: BackendSnapshot;
  maxConcurrency: number;
  /** USD per 1M input/output tokens (cloud), or the local box's cost per hour. */
  price?: { input: number; output: number };
  costPerHour?: number;
  weight: number;
}

const DEFAULT_TTFT_MS = 1_000;

export function saturated(s: Scored): boolean {
  return s.state.inFlight >= s.maxConcurrency;
}

/** Predicted time to the full answer: measured TTFT + output at measured speed, stretched by the queue. */
export function predictMs(s: Scored, f: RequestFeatures): number | undefined {
  const { ttftMs, tokensPerSec } = s.state;
  if (ttftMs === undefined && tokensPerSec === undefined) return undefined;
  const ttft = ttftMs ?? DEFAULT_TTFT_MS;
  const tps = tokensPerSec ?? DEFAULT_TOKENS_PER_SEC;
  const out = f.maxTokens ?? DEFAULT_OUTPUT_TOKENS;
  const queueFactor = 1 + s.state.inFlight / Math.max(1, s.maxConcurrency);
  return (ttft + (out / tps) * 1000) * queueFactor;
}

/** Estimated USD for this request: cloud prices per token, local boxes by the hour over measured speed. */
export function estimateCost(s: Scored, f: RequestFeatures): number {
  return requestCostUsd(s, f.promptTokens, f.maxTokens ?? DEFAULT_OUTPUT_TOKENS, s.state.tokensPerSec);
}

/** Orders candidates under a strategy. `random` is injected so weighted choice is testable. */
export function orderByStrategy(strategy: Strategy, items: Scored[], f: RequestFeatures, random: () => number): Scored[] {
  switch (strategy) {
    case 'local-first':
      return tierFirst('local', items, f);
    case 'cloud-first':
      return tierFirst('cloud', items, f);
    case 'cheapest':
      return byScore(items, (s) => estimateCost(s, f), 'cheapest');
    case 'fastest':
      return byScore(items, (s) => predictMs(s, f) ?? Number.POSITIVE_INFINITY, 'fastest');
    case 'weighted':
      return weighted(items, random);
  }
}

/**
 * The preferred tier first, in chain order (least outstanding first among equal models);
 * a preferred candidate that is saturated or predicted to miss the latency budget spills
 * behind the other tier.
 */
function tierFirst(preferred: 'local' | 'cloud', items: Scored[], f: RequestFeatures): Scored[] {
  const first: Scored[] = [];
  const other: Scored[] = [];
  const spilled: Scored[] = [];
  for (const s of leastOutstandingAmongEquals(items)) {
    if (s.candidate.tier !== preferred) {
      s.candidate.reason = `${s.candidate.tier}, after ${preferred}`;
      s.candidate.code = 'after_preferred';
      other.push(s);
      continue;
    }
    const predicted = predictMs(s, f);
    if (saturated(s)) {
      s.candidate.reason = `spilled: saturated (${s.state.inFlight}/${s.maxConcurrency} in flight)`;
      s.candidate.code = 'spilled_saturated';
      spilled.push(s);
    } else if (f.maxLatencyMs !== undefined && predicted !== undefined && predicted > f.maxLatencyMs) {
      s.candidate.reason = `spilled: predicted ${Math.round(predicted)} ms > budget ${f.maxLatencyMs} ms`;
      s.candidate.code = 'spilled_latency';
      spilled.push(s);
    } else {
      s.candidate.reason = `${preferred} first (${s.state.inFlight}/${s.maxConcurrency} in flight)`;
      s.candidate.code = 'preferred';
      first.push(s);
    }
  }
  return [...first, ...other, ...spilled];
}

/**
 * Chain order, except that equals (same model id and tier) trade places among the slots they
 * hold: the one with fewer requests in flight takes the earliest. (One comparator mixing both
 * keys would not be a total order once equals are apart in the chain.) Chains are a handful long.
 */
function leastOutstandingAmongEquals(items: Scored[]): Scored[] {
  if (items.length < 2) return items;
  const out = [...items].sort((a, b) => a.order - b.order);
  const done = new Array<boolean>(out.length).fill(false);
  for (let i = 0; i < out.length; i++) {
    if (done[i]) continue;
    const { model, tier } = out[i].candidate;
    const slots: number[] = [];
    for (let j = i; j < out.length; j++) {
      if (out[j].candidate.model === model && out[j].candidate.tier === tier) {
        slots.push(j);
        done[j] = true;
      }
    }
    if (slots.length < 2) continue;
    const group = slots.map((j) => out[j]).sort((a, b) => a.state.inFlight - b.state.inFlight || a.order - b.order);
    slots.forEach((slot, k) => (out[slot] = group[k]));
  }
  return out;
}

function byScore(items: Scored[], score: (s: Scored) => number, label: string): Scored[] {
  const scored = items.map((s) => ({ s, v: score(s) }));
  scored.sort((a, b) => a.v - b.v || a.s.state.inFlight - b.s.state.inFlight || a.s.order - b.s.order);
  return scored.map(({ s, v }) => {
    s.candidate.reason = `${label}: ${Number.isFinite(v) ? (label === 'cheapest' ? `$${v.toPrecision(3)}` : `${Math.round(v)} ms predicted`) : 'no measurements yet'}`;
    s.candidate.code = 'ranked';
    return s;
  });
}

/** One candidate drawn by weight goes first; the rest follow in chain order as fallbacks. */
function weighted(items: Scored[], random: () => number): Scored[] {
  const total = items.reduce((sum, s) => sum + s.weight, 0);
  if (total <= 0) {
    for (const s of items) {
      s.candidate.reason = 'weighted: no positive weight, chain order';
      s.candidate.code = 'weighted';
    }
    return items;
  }
  let r = random() * total;
  // Rounding can leave r >= 0 after the last weight: then the last with a weight wins, never a zero.
  let pick = items.findLastIndex((s) => s.weight > 0);
  for (let i = 0; i < items.length; i++) {
    r -= items[i].weight;
    if (r < 0) {
      pick = i;
      break;
    }
  }
  const chosen = items[pick];
  chosen.candidate.reason = `weighted: drawn with weight ${chosen.weight}/${total}`;
  chosen.candidate.code = 'weighted';
  const rest = items.filter((_, i) => i !== pick);
  for (const s of rest) {
    s.candidate.reason = 'weighted: fallback in chain order';
    s.candidate.code = 'weighted';
  }
  return [chosen, ...rest];
}
