import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { trace, type Context } from '@opentelemetry/api';
import type { BackendStatesMsg } from '@switchyard/contracts/router';
import type { SwitchyardConfig } from '@switchyard/contracts';
import type { AttemptOutcome, BackendStateRegistry, BreakerState, PolicyEngine, RequestFeatures, RouteDecision } from '@switchyard/policy';
import { PolicyRuntime, RouterClient } from '@switchyard/runtime';
import { LocalBreakerSync, RedisBreakerSync, type BreakerSync, type RedisConnections } from '@switchyard/store';
import { GatewayMetrics, SwitchyardAttr, type Logger } from '@switchyard/telemetry';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { REDIS } from '../runtime/redis.provider';
import { PrivacyScreen } from './privacy-screen';

const ROUTER_DECIDE_DEADLINE_MS = 250;
const ROUTER_WARN_EVERY_MS = 10_000;

/**
 * Where requests go: the policy engine over the live state of the backends (in-flight counts,
 * latency statistics, probe health, circuit breakers), both from the process's PolicyRuntime.
 * Embedded mode probes backends; with ROUTER_URL the router decides and probes, and the state
 * mirrors what it publishes, so that the gateway can decide on its own (on the last known state)
 * when the router is away.
 */
@Injectable()
export class PlacementService implements OnModuleInit, OnApplicationShutdown {
  /** What requests are scanned for, and what a cloud candidate may be sent. */
  privacy: PrivacyScreen;
  private readonly router?: RouterClient;
  /** Shares breaker transitions with other replicas (embedded mode with REDIS_URL). */
  readonly breakerSync: BreakerSync;
  private readonly log: Logger;
  private lastRouterWarn = 0;

  constructor(
    @Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime,
    private readonly policy: PolicyRuntime,
    private readonly metrics: GatewayMetrics,
    @Inject(REDIS) redis: RedisConnections | null,
  ) {
    this.log = runtime.logger.child({ component: 'placement' });
    if (runtime.routerUrl) {
      this.router = new RouterClient(runtime.routerUrl, {
        decideDeadlineMs: ROUTER_DECIDE_DEADLINE_MS,
        logger: runtime.logger,
        onStates: (s) => this.mirror(s),
        tls: runtime.routerTls,
      });
    }
    // Breakers are shared through Redis in embedded mode; with a router, the router owns them.
    // Both getters read the current generation: a reload must not leave the sync on an old registry.
    this.breakerSync =
      redis !== null && !runtime.routerUrl
        ? new RedisBreakerSync(
            redis,
            () => this.registry,
            () => this.policy.current.config.policy.breaker.openMs,
            this.log,
          )
        : new LocalBreakerSync();
    this.privacy = new PrivacyScreen(policy.current.config);
    policy.listen({
      breaker: (t) => {
        this.metrics.breakerOpen.set({ breaker: t.key }, t.state === 'open' ? 1 : 0);
        this.log.warn({ breaker: t.key, state: t.state }, `circuit ${t.key} ${t.state}`);
        this.breakerSync.publish(t);
      },
      probed: (r, changed, gen) => {
        const healthy = gen.registry.backend(r.backend).healthy;
        const tier = gen.adapters.get(r.backend)?.backend.tier ?? 'local';
        this.metrics.backendUp.set({ backend: r.backend, tier }, healthy ? 1 : 0);
        if (changed) this.log[healthy ? 'info' : 'warn']({ backend: r.backend, healthy, error: r.error }, `backend ${r.backend} is ${healthy ? 'up' : 'down'}`);
      },
    });
    // The first probes may report before this listens: start from what the registry knows now.
    if (!this.router) {
      const gen = policy.current;
      for (const [name, adapter] of gen.adapters)
        this.metrics.backendUp.set({ backend: name, tier: adapter.backend.tier }, gen.registry.backend(name).healthy ? 1 : 0);
    }
  }

  get mode(): 'embedded' | 'remote' {
    return this.router ? 'remote' : 'embedded';
  }

  get engine(): PolicyEngine {
    return this.policy.current.engine;
  }

  get registry(): BackendStateRegistry {
    return this.policy.current.registry;
  }

  /** Publishes a new generation for a config (state of backends that keep their name carries over) and its privacy screen. */
  apply(config: SwitchyardConfig): void {
    this.policy.apply(config);
    this.privacy = new PrivacyScreen(config);
  }

  async onModuleInit(): Promise<void> {
    this.policy.start();
    this.router?.start();
    // A Redis that is down at boot must not stop traffic: breakers then stay local until it answers.
    await this.breakerSync.start().catch((err: Error) => this.log.error({ error: err.message }, 'redis unreachable: breaker state is not shared'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.policy.stop();
    await this.router?.close();
    await this.breakerSync.close();
  }

  get routerConnected(): boolean | undefined {
    return this.router?.connected;
  }

  /** `traced`: the route span's context, when the request is traced (the router call is a span under it). */
  async decide(features: RequestFeatures, traced?: Context): Promise<RouteDecision | undefined> {
    if (this.router) {
      try {
        return await this.router.decide(features, this.inFlight(), traced);
      } catch (err) {
        this.metrics.routerFallbacks.inc();
        if (traced !== undefined) trace.getSpan(traced)?.setAttribute(SwitchyardAttr.POLICY_FALLBACK, true);
        const now = Date.now();
        if (now - this.lastRouterWarn > ROUTER_WARN_EVERY_MS) {
          this.lastRouterWarn = now;
          this.log.warn({ error: (err as Error).message }, 'router unreachable: deciding with the embedded engine on the last known state');
        }
      }
    }
    const g = this.policy.current;
    return g.engine.decide(features, g.registry);
  }

  begin(backend: string): void {
    this.registry.begin(backend);
  }

  /** Ends an attempt: its in-flight slot is freed and its outcome feeds statistics and breakers. */
  settle(outcome: AttemptOutcome): void {
    const registry = this.registry;
    registry.end(outcome.backend);
    this.wake(outcome.backend);
    registry.record(outcome);
    this.router?.report(outcome);
  }

  /** Frees an attempt's slot without judging the backend (the client went away). */
  abandon(backend: string): void {
    this.registry.end(backend);
    this.wake(backend);
  }

  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves true when a slot of `backend` frees within `ms`, false when the wait runs out. */
  waitForSlot(backend: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      let set = this.waiters.get(backend);
      if (!set) this.waiters.set(backend, (set = new Set()));
      const wake = (): void => {
        clearTimeout(timer);
        set.delete(wake);
        resolve(true);
      };
      const timer = setTimeout(() => {
        set.delete(wake);
        resolve(false);
      }, ms);
      set.add(wake);
    });
  }

  private wake(backend: string): void {
    const set = this.waiters.get(backend);
    if (!set || set.size === 0) return;
    // One freed slot wakes one waiter.
    const first = set.values().next().value as () => void;
    first();
  }

  private inFlight(): Record<string, number> {
    const out: Record<string, number> = {};
    const registry = this.registry;
    for (const name of registry.names()) out[name] = registry.backend(name).inFlight;
    return out;
  }

  /** Mirrors the router's view (health, breakers, latency) into local state. */
  private mirror(states: BackendStatesMsg): void {
    const registry = this.registry;
    for (const b of states.backends) {
      registry.setHealth(b.name, b.healthy, b.lastError || undefined);
      registry.setStats(b.name, b.ttftMs, b.tokensPerSec);
      const breaker = b.breaker as BreakerState;
      if (breaker === 'open') registry.applyBreaker({ key: b.name, state: 'open', at: b.breakerOpenedAtUnixMs || states.atUnixMs });
      else if (breaker === 'closed' && registry.backend(b.name).breaker !== 'closed')
        registry.applyBreaker({ key: b.name, state: 'closed', at: states.atUnixMs });
      this.metrics.backendUp.set({ backend: b.name, tier: b.tier }, b.healthy ? 1 : 0);
    }
  }
}
