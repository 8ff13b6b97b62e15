import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { AdapterSet, BackendProber, type BackendAdapter, type ProbeReport } from '@switchyard/adapters';
import { ConfigHotReload, type ReloadResult, type ReloadTrigger, type SwitchyardConfig } from '@switchyard/contracts';
import { type BackendStatesMsg } from '@switchyard/contracts/router';
import {
  BackendStateRegistry,
  PolicyEngine,
  type AttemptOutcome,
  type BreakerState,
  type BreakerTransition,
  type RequestFeatures,
  type RouteDecision,
  toBackendState,
} from '@switchyard/policy';
import type { Logger } from '@switchyard/telemetry';
import { ROUTER_RUNTIME, type RouterRuntime } from '../runtime/router-runtime';
import { InFlightView } from './in-flight.view';

/** Everything built from one config. Swapped as a whole, by one assignment, on reload. */
interface Generation {
  readonly config: SwitchyardConfig;
  readonly engine: PolicyEngine;
  readonly registry: BackendStateRegistry;
  readonly adapters: ReadonlyMap<string, BackendAdapter>;
  /** When each breaker (`backend` or `backend/model`) last opened; the registry does not say. */
  readonly openedAt: Map<string, number>;
  prober?: BackendProber;
}

export type { ReloadResult } from '@switchyard/contracts';

/**
 * Owns the policy engine, the live backend state, the adapters and the active probes. Decide and
 * ReportOutcomes read `current` once per call: a reload builds a complete new generation (carrying
 * over health, breakers and statistics of backends that keep their name) and publishes it with a
 * single assignment, so a call never sees half of one config and half of another.
 */
@Injectable()
export class RouterStateService implements OnApplicationBootstrap, OnApplicationShutdown {
  private current: Generation;
  private readonly logger: Logger;
  private readonly changes = new Subject<void>();
  private readonly adapters = new AdapterSet();
  private readonly hotReload?: ConfigHotReload;
  private running = false;

  constructor(@Inject(ROUTER_RUNTIME) private readonly runtime: RouterRuntime) {
    this.logger = runtime.logger.child({ component: 'router-state' });
    this.current = this.build(runtime.config);
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
    return this.current.config;
  }

  decide(features: RequestFeatures, inFlight: Readonly<Record<string, number>>): RouteDecision | undefined {
    const g = this.current;
    return g.engine.decide(features, new InFlightView(g.registry, inFlight));
  }

  record(outcome: AttemptOutcome): void {
    this.current.registry.record(outcome);
  }

  snapshot(): BackendStatesMsg {
    const g = this.current;
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
    return this.current.prober?.probeAll() ?? Promise.resolve();
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

  onApplicationBootstrap(): void {
    this.running = true;
    this.current.prober?.start();
    this.hotReload?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.hotReload?.stop();
    this.current.prober?.stop();
    this.changes.complete();
    await this.adapters.close();
  }

  private swap(config: SwitchyardConfig): void {
    const old = this.current;
    const next = this.build(config, old);
    this.current = next;
    old.prober?.stop();
    if (this.running) next.prober?.start();
    this.changes.next();
  }

  private build(config: SwitchyardConfig, old?: Generation): Generation {
    // Adapters no longer used close once a probe that may still hold one is surely over.
    const graceMs = Math.max(old?.config.policy.health.timeoutMs ?? 0, 1_000) + 1_000;
    const adapters = this.adapters.apply(config.backends, graceMs);
    const gen: Generation = { config, engine: new PolicyEngine(config), registry: new BackendStateRegistry(config), adapters, openedAt: new Map() };
    if (old) carryOver(old, gen);
    gen.registry.onBreaker = (t) => this.onBreaker(gen, t);
    const { intervalMs, timeoutMs } = config.policy.health;
    gen.prober = new BackendProber(
      () => gen.adapters.values(),
      intervalMs,
      timeoutMs,
      (r) => this.onProbe(gen, r),
    );
    return gen;
  }

  private onProbe(gen: Generation, r: ProbeReport): void {
    // A probe of a replaced generation may finish after the swap; its verdict is about the old config.
    if (gen !== this.current || !gen.adapters.has(r.backend)) return;
    if (!gen.registry.probed(r.backend, r.ok, r.error)) return;
    if (r.ok) this.logger.info({ backend: r.backend, ms: Math.round(r.ms) }, 'backend healthy: probes pass again');
    else this.logger.warn({ backend: r.backend, error: r.error }, 'backend unhealthy: probes failing');
    this.changes.next();
  }

  private onBreaker(gen: Generation, t: BreakerTransition): void {
    if (t.state === 'open') gen.openedAt.set(t.key, t.at);
    else if (t.state === 'closed') gen.openedAt.delete(t.key);
    const log = t.state === 'open' ? this.logger.warn.bind(this.logger) : this.logger.info.bind(this.logger);
    log({ breaker: t.key, state: t.state }, `circuit ${t.state === 'half_open' ? 'half-open' : t.state}`);
    if (gen === this.current) this.changes.next();
  }
}

/** Health, statistics and open breakers of backends that keep their name move to the new generation. */
function carryOver(old: Generation, next: Generation): void {
  const now = Date.now();
  const carryBreaker = (key: string, state: BreakerState): void => {
    if (state === 'closed') return;
    // Re-opened at its original time: a breaker that was half-open becomes half-open again at once.
    const at = old.openedAt.get(key) ?? now;
    next.registry.applyBreaker({ key, state: 'open', at });
    next.openedAt.set(key, at);
  };
  for (const b of next.config.backends) {
    if (!old.adapters.has(b.name)) continue;
    const s = old.registry.backend(b.name);
    next.registry.setHealth(b.name, s.healthy, old.registry.lastError(b.name));
    next.registry.setStats(b.name, s.ttftMs, s.tokensPerSec);
    carryBreaker(b.name, s.breaker);
    for (const m of b.models) carryBreaker(`${b.name}/${m.id}`, old.registry.breaker(b.name, m.id));
  }
}
