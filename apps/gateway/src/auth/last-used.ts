import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { API_KEYS, type ApiKeys } from '@switchyard/store';
import type { Logger } from '@switchyard/telemetry';
import { OutcomeBus } from '../observability/outcome-bus';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';

/** How often the keys used since the last flush are stamped in the store. */
export const LAST_USED_FLUSH_MS = 10_000;

/**
 * When each API key was last used, stamped in batches off the request path: an outcome adds its
 * key id to a set; every few seconds, and at shutdown, one UPDATE stamps them all.
 */
@Injectable()
export class LastUsedStamps implements OnApplicationShutdown {
  private seen = new Set<string>();
  private readonly timer?: NodeJS.Timeout;
  private readonly log: Logger;
  private failing = false;

  constructor(
    bus: OutcomeBus,
    @Inject(API_KEYS) private readonly keys: ApiKeys | null,
    @Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime,
  ) {
    this.log = runtime.logger.child({ component: 'last-used' });
    if (keys === null) return;
    bus.subscribe((o) => {
      if (o.principal !== undefined) this.seen.add(o.principal.keyId);
    });
    this.timer = setInterval(() => void this.flush(), LAST_USED_FLUSH_MS);
    this.timer.unref();
  }

  /** Stamps the keys seen since the last flush. */
  async flush(): Promise<void> {
    if (this.keys === null || this.seen.size === 0) return;
    const ids = [...this.seen];
    this.seen = new Set();
    try {
      await this.keys.touch(ids, new Date());
      if (this.failing) this.log.info({}, 'last-used stamps are written again');
      this.failing = false;
    } catch (err) {
      // Kept for the next flush; said once, not every ten seconds.
      for (const id of ids) this.seen.add(id);
      if (!this.failing) this.log.warn({ error: (err as Error).message }, 'cannot write last-used stamps; retrying');
      this.failing = true;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
