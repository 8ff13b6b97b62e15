import { Global, Module } from '@nestjs/common';
import { GatewayMetrics } from '@switchyard/telemetry';
import { BackendsModule } from '../backends/backends.module';
import { MetricsController } from '../metrics/metrics.controller';
import { Drain } from '../runtime/drain';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { AccessLog } from './access-log';
import { OutcomeBus } from './outcome-bus';
import { OutcomeMetrics } from './outcome-metrics';
import { RequestTracing } from './tracing';

/** Metrics, traces, the access log, requests in flight and the one outcome of every request; every module may report to them. */
@Global()
@Module({
  imports: [BackendsModule],
  controllers: [MetricsController],
  providers: [
    {
      provide: GatewayMetrics,
      inject: [GATEWAY_RUNTIME],
      // Label sets are fixed when the metrics are made: a change of `metrics.tenantLabel` takes a restart.
      useFactory: (runtime: GatewayRuntime) => new GatewayMetrics({ tenantLabel: runtime.config.metrics.tenantLabel }),
    },
    OutcomeBus,
    OutcomeMetrics,
    AccessLog,
    Drain,
    RequestTracing,
  ],
  exports: [GatewayMetrics, OutcomeBus, OutcomeMetrics, Drain, RequestTracing],
})
export class ObservabilityModule {}
