/** DI token of the Counters. */
export const COUNTERS = Symbol('switchyard.Counters');

/** One limit a request counts against: `cost` more on `key`, at most `limit` per window. */
export interface CounterCharge {
  key: string;
  /** The window's length; a key's window takes its length from the charge that opened it. */
  windowMs: number;
  /** A non-negative integer (requests, tokens, micro-units of a budget); 0 only reads the count. */
  cost: number;
  limit: number;
  /**
   * Units to reserve beyond `cost`, as far as they fit under the limit, when the call is allowed:
   * a lease the caller spends locally (see LeasedCounters). Never makes a call fail.
   */
  lease?: number;
}

/** Where one key stands after the call. */
export interface CounterState {
  key: string;
  /** Whether this limit alone had room for its cost (the call is allowed only if all did). */
  allowed: boolean;
  /** What is left in the window after this call (after its cost only if the call was allowed). */
  remaining: number;
  /** Milliseconds until the window ends and the count returns to zero. */
  resetMs: number;
  /** Of the charge's `lease`, how much was reserved (0 when it asked none or the call was denied). */
  leased?: number;
}

export interface CounterVerdict {
  /** True when every limit had room: then every cost was added; otherwise none was. */
  allowed: boolean;
  /** One per charge, in the order given. */
  counters: CounterState[];
}

/**
 * The counters limits and budgets check against: one call checks and adds every limit of a
 * request at once, all or none (for Redis, one Lua script: one round trip per request).
 *
 * Fixed windows: a key's window opens with the first cost counted on it and lasts `windowMs`;
 * then it starts from zero. One number per key keeps it to an INCRBY and a PEXPIRE in Redis and
 * makes `resetMs` exact; the price is that a client can spend up to twice a limit across the edge
 * of two windows.
 */
export interface Counters {
  /** Rejects with RangeError for a malformed charge or a key given twice. */
  checkAndAdd(charges: readonly CounterCharge[]): Promise<CounterVerdict>;
  /**
   * Adds a signed integer to each key's open window, for a true-up once the actual cost is known:
   * never below zero, never opening a window (a window that ended meanwhile is left ended), never
   * checked against a limit. One round trip for all keys.
   */
  adjust(deltas: readonly CounterDelta[]): Promise<void>;
}

/** A correction to one key's count. */
export interface CounterDelta {
  key: string;
  /** A safe integer, negative to give back what was reserved and not used. */
  delta: number;
}

/** Throws RangeError unless every charge is well-formed and no key repeats. */
export function assertCharges(charges: readonly CounterCharge[]): void {
  const keys = new Set<string>();
  for (const c of charges) {
    if (c.key.length === 0) throw new RangeError('A counter key cannot be empty.');
    if (keys.has(c.key)) throw new RangeError(`Counter key '${c.key}' is charged twice in one call.`);
    keys.add(c.key);
    if (!Number.isSafeInteger(c.windowMs) || c.windowMs <= 0) throw new RangeError(`Counter '${c.key}': windowMs must be a positive integer.`);
    if (!Number.isSafeInteger(c.cost) || c.cost < 0) throw new RangeError(`Counter '${c.key}': cost must be a non-negative integer.`);
    if (!Number.isSafeInteger(c.limit) || c.limit < 0) throw new RangeError(`Counter '${c.key}': limit must be a non-negative integer.`);
    if (c.lease !== undefined && (!Number.isSafeInteger(c.lease) || c.lease < 0))
      throw new RangeError(`Counter '${c.key}': lease must be a non-negative integer.`);
  }
}

/** Throws RangeError unless every delta is well-formed. */
export function assertDeltas(deltas: readonly CounterDelta[]): void {
  for (const d of deltas) {
    if (d.key.length === 0) throw new RangeError('A counter key cannot be empty.');
    if (!Number.isSafeInteger(d.delta)) throw new RangeError(`Counter '${d.key}': delta must be an integer.`);
  }
}
