import { SwitchyardError } from '@switchyard/contracts';

/** Over a rate limit (429 `rate_limit_exceeded`) or a budget (429 `budget_exceeded`), with when to retry. */
export class LimitExceededError extends SwitchyardError {
  constructor(
    message: string,
    code: 'rate_limit_exceeded' | 'budget_exceeded',
    retryAfterMs: number,
    /** Whether a client's automatic retry soon could succeed (a rate limit, not a budget or a request larger than the limit). */
    readonly retryable: boolean,
  ) {
    super({ status: 429, type: 'rate_limit_error', message, code, retryAfter: String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
  }
}

/** The counters cannot be reached and the fail mode is closed. */
export class LimitsUnavailableError extends SwitchyardError {
  constructor(cause: unknown) {
    super({
      status: 503,
      type: 'service_unavailable',
      message: 'Your limits and budget cannot be checked right now, so the request was not sent. Please try again shortly.',
      code: 'limits_unavailable',
      retryAfter: '1',
      cause,
    });
  }
}
