import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { ProbeReport } from '@switchyard/adapters';
import type { SwitchyardConfig } from '@switchyard/contracts';
import { type BackendStatesMsg } from '@switchyard/contracts/router';
import { type AttemptOutcome, type BreakerTransition, type RequestFeatures, type RouteDecision, toBackendState } from '@switchyard/policy';
import { ConfigHotReload, PolicyRuntime, type Generation, type ReloadResult, type ReloadTrigger } from '@switchyard/runtime';
import { LocalBreakerSync, RedisBreakerSync, RedisConnections, RedisProbeShare, type BreakerSync } from '@switchyard/store';
import type { Logger } from '@switchyard/telemetry';
import { ROUTER_RUNTIME, type RouterRuntime } from '../runtime/router-runtime';
import { InFlightView } from './in-flight.view';

export type { ReloadResult } from '@switchyard/runtime';

/**
 * The router's policy runtime (engine, live backend state, adapters, active probes) and its
 * config hot reload. Decide and ReportOutcomes read the runtime's `current` generation once per
 * call; a reload publishes a complete new one with a single assignment (PolicyRuntime.apply).
 *
 * With `REDIS_URL`, replicas agree: a breaker one opens (or closes) is applied by all at once
 * (RedisBreakerSync, as gateways in embedded mode share theirs), and each backend is probed by
 * one replica per interval, the others taking its verdict (RedisProbeShare). Redis never sits on
 * a decision's path; while it is away each replica counts and probes on its own.
 */
@Injectable()
export class RouterStateService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly policy: PolicyRuntime;
  private readonly logger: Logger;
  private readonly changes = new Subject<void>();
  private readonly hotReload?: ConfigHotReload;
  private readonly redis?: RedisConnections;
  private readonly probeShare?: RedisProbeShare;
  /** Shares breaker transitions with other router replicas (with REDIS_URL). */
  readonly breakerSync: BreakerSync;

  constructor(@Inject(ROUTER_RUNTIME) runtime: RouterRuntime) {
    this.logger = runtime.logger.child({ component: 'router-state' });
    if (runtime.redisUrl) {
      const log = runtime.logger.child({ component: 'redis' });
      this.redis = new RedisConnections(runtime.redisUrl, log, runtime.redisPrefix);
      // Results older than a few intervals say nothing about now.
      this.probeShare = new RedisProbeShare(
        this.redis,
        (p) => this.policy.applyShared(p),
        () => 3 * this.config.policy.health.intervalMs,
        log,
      );
    }
    this.policy = new PolicyRuntime(runtime.config, { probeShare: this.probeShare });
    // Both getters read the current generation: a reload must not leave the sync on an old registry.
    this.breakerSync = this.redis
      ? new RedisBreakerSync(
          this.redis,
          () => this.policy.current.registry,
          () => this.config.policy.breaker.openMs,
          this.logger,
          () => this.changes.next(),
        )
      : new LocalBreakerSync();
    this.policy.listen({ probed: (r, changed) => this.onProbe(r, changed), breaker: (t, gen) => this.onBreaker(t, gen) });
    if (runtime.configPath) {
      this.hotReload = new ConfigHotReload(runtime.configPath, (config) => this.swap(config), this.logger, {
        env: runtime.env,
        watch: runtime.watchConfig !== false,
      });
    }
  }

  /** Fires on every change a watcher should hear about: probe verdicts, breaker transitions, reloads. */
  get changed(): Observable<void> {
    return this.changes.asObservable();
  }

  get config(): SwitchyardConfig {
    return this.policy.current.config;
  }

  decide(features: RequestFeatures, inFlight: Readonly<Record<string, number>>): RouteDecision | undefined {
    const g = this.policy.current;
    return g.engine.decide(features, new InFlightView(g.registry, inFlight));
  }

  record(outcome: AttemptOutcome): void {
    this.policy.current.registry.record(outcome);
  }

  snapshot(): BackendStatesMsg {
    const g = this.policy.current;
    return {
      backends: g.config.backends.map((b) => {
        const snapshot = g.registry.backend(b.name);
        return toBackendState({
          name: b.name,
          tier: b.tier,
          snapshot,
          lastError: g.registry.lastError(b.name),
          breakerOpenedAt: snapshot.breaker === 'closed' ? undefined : g.openedAt.get(b.name),
        });
      }),
      atUnixMs: Date.now(),
    };
  }

  /** Probes every backend now (tests; the prober also runs on its interval). */
  probeNow(): Promise<unknown> {
    return this.policy.probeNow();
  }

  /**
   * Re-reads and validates the config file. Valid: swaps engine, state and adapters. Invalid: logs
   * the error (naming the field) and keeps the running config. A file event whose content did not
   * change does nothing, so unrelated writes in the directory and editor save dances stay quiet.
   */
  reload(trigger: ReloadTrigger = 'api'): ReloadResult {
    if (!this.hotReload) return { ok: false, error: 'the router was started without a config file; nothing to reload' };
    return this.hotReload.reload(trigger);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Before the first probe round: it claims through the share, and takes others' results from it.
    // A Redis that is down at start must not stop the router: it then counts and probes on its own.
    await Promise.all([
      this.breakerSync.start().catch((err: Error) => this.logger.error({ error: err.message }, 'redis unreachable: breaker state is not shared')),
      this.probeShare?.start().catch((err: Error) => this.logger.error({ error: err.message }, 'redis unreachable: probe results are not shared')),
    ]);
    this.policy.start();
    this.hotReload?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.hotReload?.stop();
    this.changes.complete();
    await this.policy.stop();
    await this.breakerSync.close();
    await this.probeShare?.close();
    await this.redis?.close();
  }

  private swap(config: SwitchyardConfig): void {
    this.policy.apply(config);
    this.changes.next();
  }

  private onProbe(r: ProbeReport, changed: boolean): void {
    if (!changed) return;
    if (r.ok) this.logger.info({ backend: r.backend, ms: Math.round(r.ms) }, 'backend healthy: probes pass again');
    else this.logger.warn({ backend: r.backend, error: r.error }, 'backend unhealthy: probes failing');
    this.changes.next();
  }

  private onBreaker(t: BreakerTransition, gen: Generation): void {
    const log = t.state === 'open' ? this.logger.warn.bind(this.logger) : this.logger.info.bind(this.logger);
    log({ breaker: t.key, state: t.state }, `circuit ${t.state === 'half_open' ? 'half-open' : t.state}`);
    if (gen !== this.policy.current) return;
    this.breakerSync.publish(t);
    this.changes.next();
  }
}
