import { Injectable } from '@nestjs/common';
import { GatewayMetrics } from '@switchyard/telemetry';
import { OutcomeBus } from './outcome-bus';

/** `switchyard_requests_total` counts each request's real final status, failures included, from its outcome. */
@Injectable()
export class OutcomeMetrics {
  constructor(bus: OutcomeBus, metrics: GatewayMetrics) {
    bus.subscribe((o) => metrics.requests.inc(o.route ?? 'none', o.backend ?? 'none', o.tier ?? 'none', String(o.status)));
  }
}
