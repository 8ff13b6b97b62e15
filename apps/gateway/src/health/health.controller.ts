import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { redactSecrets } from '@switchyard/contracts';
import type { Database, RedisConnections } from '@switchyard/store';
import type { Logger } from '@switchyard/telemetry';
import { BackendsService } from '../backends/backends.service';
import { PlacementService } from '../routing/placement.service';
import { Drain } from '../runtime/drain';
import { REDIS } from '../runtime/redis.provider';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { DATABASE } from '../store/store.module';

const PROBE_TIMEOUT_MS = 2_000;

@ApiTags('Health')
@Controller('health')
export class HealthController {
  private readonly log: Logger;
  /** What the last readiness probe found failing ('' when ready): each change is logged once. */
  private failing?: string;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly backends: BackendsService,
    private readonly placement: PlacementService,
    @Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime,
    @Inject(REDIS) private readonly redis: RedisConnections | null,
    @Inject(DATABASE) private readonly db: Database | null,
    private readonly drain: Drain,
  ) {
    this.log = runtime.logger.child({ component: 'health' });
  }

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers. Touches no dependency.' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: config loaded and at least one backend reachable; 503 names what failed.' })
  async ready(@Res() reply: FastifyReply): Promise<void> {
    // Shutting down: out of the load balancer at once, whatever else holds.
    const checks = this.drain.draining ? [() => this.indicators.check('draining').down({ message: 'the gateway is shutting down' })] : this.checks();
    try {
      const report = await this.health.check(checks);
      this.noteReadiness(report);
      reply.send(report);
    } catch (err) {
      // Terminus throws its 503 report. Not-ready is the probe's answer, not a server fault: it is
      // logged here once per change, not as an error on every probe.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      const report = err.getResponse() as HealthCheckResult;
      this.noteReadiness(report);
      reply.status(503).send(report);
    }
  }

  private checks(): (() => HealthIndicatorResult | Promise<HealthIndicatorResult>)[] {
    const checks = [() => this.indicators.check('config').up(), () => this.backendsReachable()];
    if (this.db !== null) checks.push(() => this.storeReachable());
    if (this.redis !== null) checks.push(() => this.redisReachable());
    if (this.placement.mode === 'remote') checks.push(() => this.routerReachable());
    return checks;
  }

  /** Logs a warning naming what failed when that changes (which checks, which backends), and when readiness comes back. */
  private noteReadiness(report: HealthCheckResult): void {
    const names: string[] = [];
    const reasons: string[] = [];
    for (const [check, detail] of Object.entries(report.error ?? {})) {
      // The backends check names each backend that is down, and why.
      const down = Object.entries(detail as Record<string, { status?: string; error?: string }>).filter(([, d]) => d?.status === 'down');
      names.push(check, ...down.map(([backend]) => `${check}.${backend}`));
      const why = down.map(([backend, d]) => `${backend}: ${(d.error ?? 'down').replace(/\.$/, '')}`);
      reasons.push(`${check} (${[(detail as { message?: string }).message ?? 'down', ...why].join('; ')})`);
    }
    const failing = names.join(',');
    if (failing === this.failing) return;
    const before = this.failing;
    this.failing = failing;
    if (failing) this.log.warn({ failed: names }, `not ready: ${reasons.join(', ')}`);
    else if (before) this.log.info('ready again');
  }

  private async redisReachable(): Promise<HealthIndicatorResult> {
    const session = this.indicators.check('redis');
    try {
      await withTimeout(this.redis!.ping());
      return session.up();
    } catch (err) {
      return session.down({ message: `redis: ${(err as Error).message}` });
    }
  }

  /** A `SELECT 1`. The gateway's own database opens on its first query, so the first probe may open it (and time out while it does). */
  private async storeReachable(): Promise<HealthIndicatorResult> {
    const session = this.indicators.check('store');
    try {
      await withTimeout(this.db!.query('SELECT 1'));
      return session.up({ kind: this.db!.kind });
    } catch (err) {
      return session.down({ message: `store: ${redactSecrets((err as Error).message)}` });
    }
  }

  /** The router being away does not stop traffic (the gateway decides on its own), so it is reported, not failed. */
  private routerReachable(): Promise<HealthIndicatorResult> {
    return Promise.resolve(this.indicators.check('router').up({ connected: this.placement.routerConnected ?? false }));
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

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer')), PROBE_TIMEOUT_MS).unref())]);
}
