import { LRUCache } from 'lru-cache';
import { normalizeIp, type ThrottlerStorage } from '@nestjs/throttler';
import { BAD_KEYS, ThrottledError, throttleKey } from './throttling';

/**
 * Counts failed key checks per client address (IPv6 by /64) in the throttler's storage, shared by
 * replicas through Redis. Past BAD_KEYS.limit a minute the address is blocked: its unknown keys
 * get 429 without being looked up, so keys cannot be guessed at speed. Only failures are counted.
 */
export class BadKeyThrottle {
  /** Addresses known here to be blocked, and until when (ms): refused without a storage round trip. */
  private readonly blocked = new LRUCache<string, number>({ max: 10_000 });

  constructor(
    private readonly storage: ThrottlerStorage,
    private readonly prefix?: string,
  ) {}

  /** Throws ThrottledError while `address` is known to be blocked. */
  check(address: string): void {
    const until = this.blocked.get(normalizeIp(address));
    if (until === undefined) return;
    const left = until - Date.now();
    if (left > 0) throw refusal(left / 1000);
    this.blocked.delete(normalizeIp(address));
  }

  /** Counts one failure of `address`; throws ThrottledError when that blocks it. */
  async failed(address: string): Promise<void> {
    const tracker = normalizeIp(address);
    const { isBlocked, timeToBlockExpire } = await this.storage.increment(
      throttleKey(this.prefix, BAD_KEYS.name, tracker),
      BAD_KEYS.ttl,
      BAD_KEYS.limit,
      BAD_KEYS.blockDuration,
      BAD_KEYS.name,
    );
    if (!isBlocked) return;
    // The storage answers in whole seconds.
    this.blocked.set(tracker, Date.now() + timeToBlockExpire * 1000);
    throw refusal(timeToBlockExpire);
  }
}

function refusal(seconds: number): ThrottledError {
  return new ThrottledError('Too many requests with invalid API keys from your address. Retry later.', seconds, 'too_many_invalid_keys');
}
