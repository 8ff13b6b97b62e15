import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { RequestOutcome } from '@switchyard/contracts';
import { LEDGER_SINK, LedgerClosedError, type LedgerSink } from '@switchyard/store';
import { GatewayMetrics, type Logger } from '@switchyard/telemetry';
import { OutcomeBus } from '../observability/outcome-bus';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';

/**
 * Hands every request's outcome to the usage ledger. The sink only queues (it writes in batches,
 * off the request's path, and spools to disk while the database is away), so this costs a push.
 */
@Injectable()
export class LedgerWriter implements OnModuleDestroy {
  private readonly unsubscribe: () => void;
  private readonly log: Logger;
  private lost = 0;

  constructor(
    @Inject(LEDGER_SINK) private readonly sink: LedgerSink,
    outcomes: OutcomeBus,
    @Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime,
    metrics: GatewayMetrics,
  ) {
    this.log = runtime.logger.child({ component: 'ledger' });
    // Read at scrape time: queue depth and spool size.
    if (sink.stats !== undefined) metrics.ledgerStats = () => sink.stats!();
    this.unsubscribe = runtime.config.usage.enabled ? outcomes.subscribe((o) => this.write(o)) : () => undefined;
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private write(outcome: RequestOutcome): void {
    // Listings (`GET /v1/models`, `/v1/usage`) are not usage: every other request is recorded.
    if (outcome.method === 'GET' || outcome.method === 'HEAD') return;
    this.sink.write([outcome]).catch((err: unknown) => {
      // Only after shutdown began: anything else the sink spools rather than refuses.
      if (this.lost++ === 0) {
        const why = err instanceof LedgerClosedError ? 'the ledger is closed' : (err as Error).message;
        this.log.error({ requestId: outcome.requestId, error: why }, 'a request outcome could not be written to the ledger');
      }
    });
  }
}
