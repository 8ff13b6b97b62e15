import { createHash } from 'node:crypto';
import type { RedisConnections } from '../redis/redis-connections';
import { assertCharges, assertDeltas, type CounterCharge, type CounterDelta, type Counters, type CounterVerdict } from './counters';

// KEYS: the counters; ARGV: windowMs, cost, limit, lease for each. Reads every count first, then
// adds every cost or none: the script runs atomically, so no other call interleaves. An allowed
// call also reserves each key's lease as far as it fits under the limit. A window opens with the
// first cost on its key (PEXPIRE once, when the key has no expiry yet).
// Returns: allowed, then for each key: fits, used after the call, ms until its window resets, leased.
const CHECK_AND_ADD = `
local n = #KEYS
local used = {}
local ok = 1
for i = 1, n do
  local v = tonumber(redis.call('GET', KEYS[i]) or '0')
  used[i] = v
  if v + tonumber(ARGV[4 * i - 2]) > tonumber(ARGV[4 * i - 1]) then ok = 0 end
end
local out = { ok }
for i = 1, n do
  local w = tonumber(ARGV[4 * i - 3])
  local cost = tonumber(ARGV[4 * i - 2])
  local limit = tonumber(ARGV[4 * i - 1])
  local v = used[i]
  local fits = 0
  local leased = 0
  if v + cost <= limit then fits = 1 end
  if ok == 1 then
    leased = math.min(tonumber(ARGV[4 * i]), limit - v - cost)
    if cost + leased > 0 then v = redis.call('INCRBY', KEYS[i], cost + leased) end
  end
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl == -1 then
    redis.call('PEXPIRE', KEYS[i], w)
    ttl = w
  elseif ttl < 0 then
    ttl = w
  end
  out[#out + 1] = fits
  out[#out + 1] = v
  out[#out + 1] = ttl
  out[#out + 1] = leased
end
return out
`;

// KEYS: the counters; ARGV: a signed delta for each. Only keys with an open window move, and
// none below zero; INCRBY keeps the key's expiry.
const ADJUST = `
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v then
    local d = tonumber(ARGV[i])
    if tonumber(v) + d < 0 then d = -tonumber(v) end
    if d ~= 0 then redis.call('INCRBY', KEYS[i], d) end
  end
end
return 0
`;

interface Script {
  body: string;
  sha: string;
}

const script = (body: string): Script => ({ body, sha: createHash('sha1').update(body).digest('hex') });
const SCRIPTS = { checkAndAdd: script(CHECK_AND_ADD), adjust: script(ADJUST) };

/** Redis is known to be down, or did not answer in time: the caller's fail mode decides. */
export class CountersUnavailableError extends Error {
  constructor(reason: string) {
    super(`Redis is unavailable (${reason}).`);
    this.name = 'CountersUnavailableError';
  }
}

/**
 * Counters in Redis, shared by every replica: one Lua script per call checks and adds all of a
 * request's counters in one round trip (EVALSHA; EVAL once when Redis does not have the script
 * yet, which caches it). A call's keys must share a hash tag (`{tenantId}`), so the script touches
 * one slot and runs on Redis Cluster too; keys are stored under the connections' prefix.
 */
export class RedisCounters implements Counters {
  private readonly prefix: string;
  private connected?: Promise<void>;

  constructor(
    private readonly redis: RedisConnections,
    /** Longest a call may wait for Redis: a stalled Redis must not stall every limited request. */
    private readonly timeoutMs = 1_000,
  ) {
    this.prefix = `${redis.prefix}:counters:`;
  }

  async checkAndAdd(charges: readonly CounterCharge[]): Promise<CounterVerdict> {
    assertCharges(charges);
    if (charges.length === 0) return { allowed: true, counters: [] };
    const keys = charges.map((c) => this.prefix + c.key);
    const args: number[] = [];
    for (const c of charges) args.push(c.windowMs, c.cost, c.limit, c.lease ?? 0);
    const out = (await this.run(SCRIPTS.checkAndAdd, keys, args)) as number[];
    return {
      allowed: out[0] === 1,
      counters: charges.map((c, i) => ({
        key: c.key,
        allowed: out[1 + 4 * i] === 1,
        remaining: Math.max(0, c.limit - out[2 + 4 * i]),
        resetMs: out[3 + 4 * i],
        leased: out[4 + 4 * i],
      })),
    };
  }

  async adjust(deltas: readonly CounterDelta[]): Promise<void> {
    assertDeltas(deltas);
    if (deltas.length === 0) return;
    await this.run(
      SCRIPTS.adjust,
      deltas.map((d) => this.prefix + d.key),
      deltas.map((d) => d.delta),
    );
  }

  private run(s: Script, keys: string[], args: number[]): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    // The call itself may still land later: then it counted, which errs on the safe side.
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CountersUnavailableError(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([this.call(s, keys, args), late]).finally(() => clearTimeout(timer));
  }

  private async call(s: Script, keys: string[], args: number[]): Promise<unknown> {
    const redis = this.redis.commands;
    // A failed first connect is retried by ioredis itself; the status check below reports it.
    await (this.connected ??= this.redis.connect().catch(() => undefined));
    if (redis.status === 'reconnecting' || redis.status === 'close' || redis.status === 'end') throw new CountersUnavailableError(redis.status);
    try {
      return await redis.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return redis.eval(s.body, keys.length, ...keys, ...args);
    }
  }
}
