import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { ProbeReport } from '@switchyard/adapters';
import type { SwitchyardConfig } from '@switchyard/contracts';
import { type BackendStatesMsg } from '@switchyard/contracts/router';
import { type AttemptOutcome, type BreakerTransition, type DecisionBasis, type RequestFeatures, type RouteDecision, toBackendState } from '@switchyard/policy';
import { ConfigHotReload, PolicyRuntime, type Generation, type ReloadResult, type ReloadTrigger } from '@switchyard/runtime';
import { LocalBreakerSync, RedisBreakerSync, RedisConnections, RedisProbeShare, type BreakerSync } from '@switchyard/store';
import type { Logger } from '@switchyard/telemetry';
import { ROUTER_RUNTIME, type RouterRuntime } from '../runtime/router-runtime';
import { InFlightView } from './in-flight.view';

export type { ReloadResult } from '@switchyard/runtime';

/** Successful outcomes (latency figures) reach the engine at most this often, so the state version does not move on every request. */
export const STATS_PUBLISH_MS = 1_000;
/** Past this many waiting successes they are applied at once (a bound on memory, not a schedule). */
const MAX_WAITING_SUCCESSES = 50_000;

/**
 * The router's policy runtime (engine, live backend state, adapters, active probes) and its
 * config hot reload. Decide and ReportOutcomes read the runtime's `current` generation once per
 * call; a reload publishes a complete new one with a single assignment (PolicyRuntime.apply).
 *
 * With `REDIS_URL`, replicas agree: a breaker one opens (or closes) is applied by all at once
 * (RedisBreakerSync, as gateways in embedded mode share theirs), and each backend is probed by
 * one replica per interval, the others taking its verdict (RedisProbeShare). Redis never sits on
 * a decision's path; while it is away each replica counts and probes on its own.
 *
 * The state decisions are made on is versioned (`stateVersion`): every change a decision could
 * see (probe results, breaker transitions, an open breaker turning half-open, failures, latency
 * figures, reloads) moves it and is pushed to watchers, so a gateway may reuse a decision while
 * the version it was made on is the current one. Successes are applied in batches every
 * STATS_PUBLISH_MS (a failure first applies those before it, keeping breakers' order of events).
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
  /** This process in state versions: two routers' (or two runs') versions never compare equal. */
  private readonly instance = randomBytes(6).toString('base64url');
  private serial = 0;
  private readonly successes: AttemptOutcome[] = [];
  private statsTimer?: NodeJS.Timeout;
  /** Moves the version when an open breaker turns half-open: time alone changes that. */
  private readonly halfOpenTimers = new Set<NodeJS.Timeout>();

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
          () => this.onSharedBreaker(),
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

  /** The version of the state decisions are made on now. */
  get stateVersion(): string {
    return `${this.instance}.${this.serial}`;
  }

  decide(features: RequestFeatures, inFlight: Readonly<Record<string, number>>): RouteDecision | undefined {
    const g = this.policy.current;
    return g.engine.decide(features, new InFlightView(g.registry, inFlight));
  }

  /** What a decision made now reads and rests on (decisions are synchronous: no change comes between). */
  basis(features: RequestFeatures): DecisionBasis {
    return { stateVersion: this.stateVersion, scope: this.policy.current.engine.scope(features.model) };
  }

  record(outcome: AttemptOutcome): void {
    if (outcome.success) {
      this.successes.push(outcome);
      if (this.successes.length >= MAX_WAITING_SUCCESSES) this.publishStats();
      else if (!this.statsTimer) {
        this.statsTimer = setTimeout(() => this.publishStats(), STATS_PUBLISH_MS);
        this.statsTimer.unref();
      }
      return;
    }
    // Client errors (4xx but 429) say nothing about a backend: the registry ignores them.
    if (outcome.status !== 429 && outcome.status < 500) return;
    this.applySuccesses();
    this.policy.current.registry.record(outcome);
    this.bump();
  }

  /** Applies the successes that waited (tests; the timer does it every STATS_PUBLISH_MS). */
  publishStats(): void {
    if (this.applySuccesses()) this.bump();
  }

  private applySuccesses(): boolean {
    clearTimeout(this.statsTimer);
    this.statsTimer = undefined;
    if (this.successes.length === 0) return false;
    const registry = this.policy.current.registry;
    for (const o of this.successes) registry.record(o);
    this.successes.length = 0;
    return true;
  }

  /** A new state version, pushed to watchers. */
  private bump(): void {
    this.serial++;
    this.changes.next();
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
      stateVersion: this.stateVersion,
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
    this.applySuccesses();
    for (const t of this.halfOpenTimers) clearTimeout(t);
    this.halfOpenTimers.clear();
    this.changes.complete();
    await this.policy.stop();
    await this.breakerSync.close();
    await this.probeShare?.close();
    await this.redis?.close();
  }

  private swap(config: SwitchyardConfig): void {
    this.applySuccesses();
    this.policy.apply(config);
    this.bump();
  }

  private onProbe(r: ProbeReport, changed: boolean): void {
    // A failed probe moves the backend's last failure, which orders panic candidates.
    if (changed || !r.ok) this.bump();
    if (!changed) return;
    if (r.ok) this.logger.info({ backend: r.backend, ms: Math.round(r.ms) }, 'backend healthy: probes pass again');
    else this.logger.warn({ backend: r.backend, error: r.error }, 'backend unhealthy: probes failing');
  }

  /** A transition another replica made (through Redis). */
  private onSharedBreaker(): void {
    this.bump();
    this.bumpWhenHalfOpen();
  }

  private bumpWhenHalfOpen(): void {
    // A little after openMs, so the breaker reads half-open when the version moves.
    const timer = setTimeout(() => {
      this.halfOpenTimers.delete(timer);
      this.bump();
    }, this.config.policy.breaker.openMs + 5);
    timer.unref();
    this.halfOpenTimers.add(timer);
  }

  private onBreaker(t: BreakerTransition, gen: Generation): void {
    const log = t.state === 'open' ? this.logger.warn.bind(this.logger) : this.logger.info.bind(this.logger);
    log({ breaker: t.key, state: t.state }, `circuit ${t.state === 'half_open' ? 'half-open' : t.state}`);
    if (gen !== this.policy.current) return;
    this.breakerSync.publish(t);
    this.bump();
    if (t.state === 'open') this.bumpWhenHalfOpen();
  }
}
