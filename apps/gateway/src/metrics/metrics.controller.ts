import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { GatewayMetrics } from '@switchyard/telemetry';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { workerSnapshot } from './cluster-metrics';

/**
 * Prometheus scrape endpoint (text exposition format). In a worker of SWITCHYARD_WORKERS a scrape
 * reaches one worker: it answers every worker's metrics, summed by the primary.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime,
  ) {
    runtime.workers?.serveMetrics(() => workerSnapshot(metrics.registry));
  }

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.runtime.workers?.clusterMetrics() ?? this.metrics.registry.metrics();
  }
}
