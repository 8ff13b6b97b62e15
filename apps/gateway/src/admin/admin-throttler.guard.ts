import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { ThrottledError } from '../auth/throttling';

/** /admin/v1 requests per client address (ADMIN_REQUESTS), counted before the key is checked; 429 as problem details. */
@Injectable()
export class AdminThrottlerGuard extends ThrottlerGuard {
  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new ThrottledError('Too many admin requests from your address. Retry later.', detail.timeToBlockExpire);
  }
}
