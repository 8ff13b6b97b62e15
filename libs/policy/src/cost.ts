import type { BackendConfig, SwitchyardConfig } from '@switchyard/contracts';

/** What a target charges: cloud `price` per 1M input/output tokens, or a local box's `costPerHour`. */
export interface CostRates {
  price?: { input: number; output: number };
  costPerHour?: number;
}

/** Output tokens assumed when the client sets no max_tokens, for cost and latency estimates. */
export const DEFAULT_OUTPUT_TOKENS = 256;
/** A local box's speed until its own is measured. */
export const DEFAULT_TOKENS_PER_SEC = 30;

/**
 * USD for one request: cloud prices per token; local boxes by the hour over their measured speed
 * (prompt tokens read about ten times faster than output is written). The one cost function:
 * routing ranks by it, budgets charge by it.
 */
export function requestCostUsd(rates: CostRates, inputTokens: number, outputTokens: number, tokensPerSec?: number): number {
  if (rates.price) return (inputTokens * rates.price.input + outputTokens * rates.price.output) / 1e6;
  if (rates.costPerHour) return (rates.costPerHour / 3600) * ((inputTokens / 10 + outputTokens) / (tokensPerSec ?? DEFAULT_TOKENS_PER_SEC));
  return 0;
}

/**
 * Every target's rates under one config, by backend and the backend's model id: a model's price
 * over its backend's, and prices only on cloud backends (a local box costs by the hour), as the
 * engine ranks them. Built once per config; lookups are a map read.
 */
export class CostTable {
  private readonly rates = new Map<string, CostRates>();
  /** Every priced cloud target's rates: the fallback reference for savings. */
  readonly cloud: readonly CostRates[];
  private readonly backends: ReadonlyMap<string, BackendConfig>;

  constructor(config: SwitchyardConfig) {
    this.backends = new Map(config.backends.map((b) => [b.name, b]));
    const cloud: CostRates[] = [];
    for (const b of config.backends) {
      for (const m of b.models) {
        const price = b.tier === 'cloud' ? (m.price ?? b.price) : undefined;
        this.rates.set(`${b.name}\u0000${m.id}`, { price, costPerHour: b.costPerHour });
        if (price !== undefined) cloud.push({ price });
      }
    }
    this.cloud = cloud;
  }

  /** The rates of `model` on `backend`; a model the backend does not list costs by the backend's own rates. */
  of(backend: string, model: string): CostRates {
    const known = this.rates.get(`${backend}\u0000${model}`);
    if (known !== undefined) return known;
    const b = this.backends.get(backend);
    return b === undefined ? {} : { price: b.tier === 'cloud' ? b.price : undefined, costPerHour: b.costPerHour };
  }
}

const tables = new WeakMap<SwitchyardConfig, CostTable>();

/** The CostTable of a config, built on first use. */
export function costTable(config: SwitchyardConfig): CostTable {
  let table = tables.get(config);
  if (table === undefined) tables.set(config, (table = new CostTable(config)));
  return table;
}

/**
 * USD the tokens would have cost at the cheapest of these cloud rates (the savings reference when
 * none is configured); undefined when there are none.
 */
export function cheapestCostUsd(rates: readonly CostRates[], inputTokens: number, outputTokens: number): number | undefined {
  let min: number | undefined;
  for (const r of rates) {
    if (r.price === undefined) continue;
    const usd = requestCostUsd(r, inputTokens, outputTokens);
    if (min === undefined || usd < min) min = usd;
  }
  return min;
}
