import { Global, Module } from '@nestjs/common';
import { GatewayMetrics } from '@switchyard/telemetry';
import { MetricsController } from '../metrics/metrics.controller';
import { OutcomeBus } from './outcome-bus';
import { OutcomeMetrics } from './outcome-metrics';
import { RequestTracing } from './tracing';

/** Metrics, traces and the one outcome of every request; every module may report to them. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: GatewayMetrics, useFactory: () => new GatewayMetrics() }, OutcomeBus, OutcomeMetrics, RequestTracing],
  exports: [GatewayMetrics, OutcomeBus, OutcomeMetrics, RequestTracing],
})
export class ObservabilityModule {}
