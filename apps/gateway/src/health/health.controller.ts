import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import { BackendsService } from '../backends/backends.service';
import { PlacementService } from '../routing/placement.service';

const PROBE_TIMEOUT_MS = 2_000;

@ApiTags('Health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly backends: BackendsService,
    private readonly placement: PlacementService,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers. Touches no dependency.' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: config loaded and at least one backend reachable; 503 names what failed.' })
  ready(): Promise<HealthCheckResult> {
    const checks = [() => this.indicators.check('config').up(), () => this.backendsReachable()];
    if (this.placement.breakerSync) checks.push(() => this.redisReachable());
    if (this.placement.mode === 'remote') checks.push(() => this.routerReachable());
    return this.health.check(checks);
  }

  private async redisReachable(): Promise<HealthIndicatorResult> {
    const session = this.indicators.check('redis');
    try {
      await Promise.race([
        this.placement.breakerSync!.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer')), PROBE_TIMEOUT_MS).unref()),
      ]);
      return session.up();
    } catch (err) {
      return session.down({ message: `redis: ${(err as Error).message}` });
    }
  }

  /** The router being away does not stop traffic (the gateway decides on its own), so it is reported, not failed. */
  private async routerReachable(): Promise<HealthIndicatorResult> {
    return this.indicators.check('router').up({ connected: this.placement.routerConnected ?? false });
  }

  private async backendsReachable(): Promise<HealthIndicatorResult> {
    const results = await this.backends.probeAll(PROBE_TIMEOUT_MS);
    const detail = Object.fromEntries(
      results.map((r) => {
        const tier = this.backends.get(r.backend).backend.tier;
        return [r.backend, r.ok ? { status: 'up', tier } : { status: 'down', tier, error: r.error }];
      }),
    );
    const session = this.indicators.check('backends');
    return results.some((r) => r.ok) ? session.up(detail) : session.down({ message: 'no backend is reachable', ...detail });
  }
}
