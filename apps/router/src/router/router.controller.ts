import { fromDecideRequest, fromOutcome, toDecideResponse } from '@switchyard/policy';
import { Controller, UseFilters } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { GrpcMethod, GrpcStreamMethod } from '@nestjs/microservices';
import { map, reduce, startWith, switchMap, takeUntil, timer, type Observable } from 'rxjs';
import {
  type BackendStatesMsg,
  type DecideRequestMsg,
  type DecideResponseMsg,
  type OutcomeBatchMsg,
  type OutcomeMsg,
  type ReportSummaryMsg,
  type WatchBackendsRequestMsg,
} from '@switchyard/contracts/router';
import { GrpcExceptionFilter } from '../errors/grpc-exception.filter';
import { HealthService } from '../health/health.service';
import { RouterStateService } from '../state/router-state.service';
import { DecideTracing } from './router.tracing';

/** A watcher hears from the router at least this often, changes or not, so it can tell a quiet router from a gone one. */
export const WATCH_HEARTBEAT_MS = 2_000;

/** switchyard.router.v1.Router: the policy engine, served. */
@Controller()
@UseFilters(GrpcExceptionFilter)
export class RouterController {
  constructor(
    private readonly state: RouterStateService,
    private readonly health: HealthService,
    private readonly tracing: DecideTracing,
  ) {}

  /** `metadata`: the call's, when it came as a unary Decide (a traced gateway's context is in it). */
  @GrpcMethod('Router', 'Decide')
  decide(req: DecideRequestMsg, metadata?: Metadata): DecideResponseMsg {
    const { features, inFlight } = fromDecideRequest(req);
    // The basis is read beside the decision, in the same tick: no state change can come between.
    const basis = this.state.basis(features);
    const decision = this.tracing.on
      ? this.tracing.decide(features, metadata, () => this.state.decide(features, inFlight))
      : this.state.decide(features, inFlight);
    return toDecideResponse(decision, basis);
  }

  /** Records each outcome as it arrives; answers the count when the gateway ends the stream (or the router shuts down). */
  @GrpcStreamMethod('Router', 'ReportOutcomes')
  reportOutcomes(outcomes: Observable<OutcomeMsg>): Observable<ReportSummaryMsg> {
    return this.recordAll(outcomes.pipe(map((o) => [o])));
  }

  /** ReportOutcomes with several outcomes to a message (what gateways send); the summary counts outcomes, not messages. */
  @GrpcStreamMethod('Router', 'ReportOutcomeBatches')
  reportOutcomeBatches(batches: Observable<OutcomeBatchMsg>): Observable<ReportSummaryMsg> {
    return this.recordAll(batches.pipe(map((b) => b.outcomes)));
  }

  /** Records outcomes as they arrive; the count when the stream ends (or the router shuts down). */
  private recordAll(outcomes: Observable<OutcomeMsg[]>): Observable<ReportSummaryMsg> {
    return outcomes.pipe(
      takeUntil(this.health.stopping),
      reduce((received, list) => {
        for (const o of list) this.state.record(fromOutcome(o));
        return received + list.length;
      }, 0),
      map((received) => ({ received })),
    );
  }

  /** Full state now, again on every change, and every WATCH_HEARTBEAT_MS without one. Ends on cancel or shutdown. */
  @GrpcMethod('Router', 'WatchBackends')
  watchBackends(_req: WatchBackendsRequestMsg): Observable<BackendStatesMsg> {
    return this.state.changed.pipe(
      startWith(undefined),
      switchMap(() => timer(0, WATCH_HEARTBEAT_MS)),
      map(() => this.state.snapshot()),
      takeUntil(this.health.stopping),
    );
  }
}
