import { Global, Module } from '@nestjs/common';
import { GatewayMetrics } from '@switchyard/telemetry';
import { MetricsController } from '../metrics/metrics.controller';
import { OutcomeBus } from './outcome-bus';
import { OutcomeMetrics } from './outcome-metrics';

/** Metrics and the one outcome of every request; every module may report to them. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: GatewayMetrics, useFactory: () => new GatewayMetrics() }, OutcomeBus, OutcomeMetrics],
  exports: [GatewayMetrics, OutcomeBus, OutcomeMetrics],
})
export class ObservabilityModule {}
