import { Inject, Injectable, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import type { RequestOutcome } from '@switchyard/contracts';
import { CAPTURE_STORE, type CapturedExchange, type CaptureStore } from '@switchyard/store';
import type { Logger } from '@switchyard/telemetry';
import { OutcomeBus, type OutcomeDraft } from '../observability/outcome-bus';
import { PlacementService } from '../routing/placement.service';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';

const DAY_MS = 86_400_000;
/** A batch is written at this size even before `usage.flushMs` is up. */
const BATCH = 100;

/**
 * Keeps the bodies of the requests of tenants that opted in (`privacy.capture`), with every
 * finding of the privacy detectors replaced by its placeholder, beside their ledger records. All
 * of it after the response: redacted, queued and written in batches; pruned by
 * `usage.captureRetentionDays`. Without a database nothing is captured.
 */
@Injectable()
export class CaptureWriter implements BeforeApplicationShutdown {
  private readonly log: Logger;
  private readonly unsubscribe: () => void;
  private queue: CapturedExchange[] = [];
  /** Redactions still running, so that shutdown waits for them. */
  private readonly pending = new Set<Promise<void>>();
  private readonly flushTimer?: NodeJS.Timeout;
  private readonly pruneTimer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    @Optional() @Inject(CAPTURE_STORE) private readonly store: CaptureStore | null,
    outcomes: OutcomeBus,
    private readonly placement: PlacementService,
    @Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime,
  ) {
    this.log = runtime.logger.child({ component: 'capture' });
    if (store === null || store === undefined) {
      this.unsubscribe = () => undefined;
      return;
    }
    this.unsubscribe = outcomes.subscribe((o, draft) => this.take(o, draft));
    const usage = runtime.config.usage;
    this.flushTimer = setInterval(() => void this.flush(), usage.flushMs).unref();
    this.pruneTimer = setInterval(() => void this.prune(), DAY_MS).unref();
    void this.prune();
  }

  /** Everything taken so far is written (or its failure logged). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0) this.writing = this.writing.then(() => this.write(batch));
    await this.writing;
  }

  /** Before the stores close (their hooks run at onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe();
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    if (this.store) await this.flush();
  }

  private take(outcome: RequestOutcome, draft: OutcomeDraft | undefined): void {
    const capture = draft?.capture;
    const tenantId = outcome.principal?.tenantId;
    if (capture === undefined || tenantId === undefined) return;
    // A stream's answer is the text it relayed.
    const response = capture.response ?? (outcome.streamed && draft?.meter ? { text: draft.meter.text() } : undefined);
    const job = this.redact(outcome, tenantId, capture.request, response).finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  private async redact(outcome: RequestOutcome, tenantId: string, request: unknown, response: unknown): Promise<void> {
    try {
      const privacy = this.placement.privacy;
      const exchange: CapturedExchange = { requestId: outcome.requestId, startedAt: outcome.startedAt, tenantId, request: await privacy.redacted(request) };
      if (response !== undefined) exchange.response = await privacy.redacted(response);
      this.queue.push(exchange);
      if (this.queue.length >= BATCH) void this.flush();
    } catch (err) {
      // Never stored unredacted: a body the detectors could not read is dropped.
      this.log.error({ requestId: outcome.requestId, error: (err as Error).message }, 'a captured body could not be redacted; it is not kept');
    }
  }

  private async write(batch: CapturedExchange[]): Promise<void> {
    try {
      await this.store!.write(batch);
    } catch (err) {
      this.log.error({ captures: batch.length, error: (err as Error).message }, 'captured bodies could not be written');
    }
  }

  private async prune(): Promise<void> {
    const before = new Date(Date.now() - this.runtime.config.usage.captureRetentionDays * DAY_MS);
    try {
      const n = await this.store!.prune(before);
      if (n > 0) this.log.info({ removed: n, before: before.toISOString() }, 'captured bodies past their retention removed');
    } catch (err) {
      this.log.warn({ error: (err as Error).message }, 'pruning captured bodies failed; it is tried again tomorrow');
    }
  }
}
