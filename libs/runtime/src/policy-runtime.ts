import { AdapterSet, BackendProber, type BackendAdapter, type ProbeReport } from '@switchyard/adapters';
import type { SwitchyardConfig } from '@switchyard/contracts';
import { BackendStateRegistry, PolicyEngine, type BreakerState, type BreakerTransition } from '@switchyard/policy';
import type { ProbeShare, SharedProbe } from '@switchyard/store';
import { probeTarget, SharedProber, type Prober } from './probes/shared-prober';

/** Everything built from one config. Published as a whole, by one assignment, on apply. */
export interface Generation {
  readonly config: SwitchyardConfig;
  readonly engine: PolicyEngine;
  readonly registry: BackendStateRegistry;
  readonly adapters: ReadonlyMap<string, BackendAdapter>;
  /** When each breaker (`backend` or `backend/model`) last opened; the registry does not say. */
  readonly openedAt: Map<string, number>;
  /** Absent when the runtime runs without probes. */
  readonly prober?: Prober;
}

/** What a process does with what the runtime sees: metrics, logs, Redis, watchers. */
export interface PolicyRuntimeHooks {
  /** A probe verdict about the current generation (this process's, or one shared by another replica); `changed` when it flipped the backend's health. */
  probed?(report: ProbeReport, changed: boolean, gen: Generation): void;
  /** A breaker transition this process made (attempt outcomes recorded in `gen.registry`). */
  breaker?(t: BreakerTransition, gen: Generation): void;
}

export interface PolicyRuntimeOptions {
  /** False: no prober, someone else probes (the router, for a gateway with ROUTER_URL). Default true. */
  probe?: boolean;
  /** The least time a replaced adapter keeps its pool for requests (long streams) still using it. */
  retireGraceMs?: number;
  /**
   * Probing shared with other replicas: each backend is probed by one of them per interval, and
   * results come in through `applyShared`. Unset: this process probes every backend itself.
   */
  probeShare?: ProbeShare;
}

/**
 * The policy engine, the live backend state, the adapters and the active probes of one process,
 * shared by the gateway (embedded mode) and the router. Callers read `current` once per call;
 * `apply` builds a complete new generation (carrying over health, statistics, in-flight counts
 * and open breakers of backends that keep their name) and publishes it with a single assignment,
 * so a call never sees half of one config and half of another.
 */
export class PolicyRuntime {
  private gen: Generation;
  private readonly adapterSet = new AdapterSet();
  private readonly hooks: PolicyRuntimeHooks[] = [];
  private readonly probe: boolean;
  private readonly retireGraceMs: number;
  private readonly probeShare?: ProbeShare;
  private running = false;

  constructor(config: SwitchyardConfig, options: PolicyRuntimeOptions = {}) {
    this.probe = options.probe !== false;
    this.retireGraceMs = options.retireGraceMs ?? 0;
    this.probeShare = options.probeShare;
    this.gen = this.build(config);
  }

  get current(): Generation {
    return this.gen;
  }

  /** Adds hooks; returns a function that removes them. */
  listen(hooks: PolicyRuntimeHooks): () => void {
    this.hooks.push(hooks);
    return () => {
      const i = this.hooks.indexOf(hooks);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  /** Builds and publishes the generation of `config`; the old one's prober stops. Throws (changing nothing) on a config the engine rejects. */
  apply(config: SwitchyardConfig): Generation {
    const old = this.gen;
    const next = this.build(config, old);
    this.gen = next;
    old.prober?.stop();
    if (this.running) next.prober?.start();
    return next;
  }

  /** Starts probing (when the runtime probes). */
  start(): void {
    this.running = true;
    this.gen.prober?.start();
  }

  /** Stops probing and closes every adapter, current and retiring. For good: the process is ending. */
  async stop(): Promise<void> {
    this.running = false;
    this.gen.prober?.stop();
    await this.adapterSet.close();
  }

  /** The current adapter of `name`; throws for a backend the running config does not have. */
  adapter(name: string): BackendAdapter {
    const adapter = this.gen.adapters.get(name);
    if (!adapter) throw new Error(`unknown backend ${name}`);
    return adapter;
  }

  /** Probes every backend now (tests; the prober also runs on its interval). With a probe share: those this replica claims. */
  probeNow(): Promise<unknown> {
    return this.gen.prober?.probeAll() ?? Promise.resolve();
  }

  /**
   * A result another replica probed (through the probe share), applied as if probed here: the
   * registry records it, then takes the prober's verdict, so every replica agrees on health even
   * when one started later or missed a message. Ignored for a backend this config does not have,
   * or has somewhere else.
   */
  applyShared(p: SharedProbe): void {
    const gen = this.gen;
    const adapter = gen.adapters.get(p.backend);
    if (!adapter || probeTarget(adapter.backend).target !== p.target) return;
    const before = gen.registry.backend(p.backend).healthy;
    gen.registry.probed(p.backend, p.ok, p.error);
    if (gen.registry.backend(p.backend).healthy !== p.healthy) gen.registry.setHealth(p.backend, p.healthy, p.error);
    const changed = gen.registry.backend(p.backend).healthy !== before;
    const report: ProbeReport = { backend: p.backend, ok: p.ok, error: p.error, ms: p.ms };
    for (const h of this.hooks) h.probed?.(report, changed, gen);
  }

  private build(config: SwitchyardConfig, old?: Generation): Generation {
    // The engine first: a config it rejects must leave the adapters as they are.
    const engine = new PolicyEngine(config);
    const registry = new ClockedRegistry(config);
    // Adapters no longer used close once requests and probes that may still hold one are surely over.
    const graceMs = Math.max(this.retireGraceMs, Math.max(old?.config.policy.health.timeoutMs ?? 0, 1_000) + 1_000);
    const adapters = this.adapterSet.apply(config.backends, graceMs);
    const { intervalMs, timeoutMs } = config.policy.health;
    const onReport = (r: ProbeReport): void => this.onProbe(gen, r);
    const share = this.probeShare;
    let prober: Prober | undefined;
    if (this.probe) {
      prober = share
        ? new SharedProber(() => adapters.values(), intervalMs, timeoutMs, onReport, share)
        : new BackendProber(() => adapters.values(), intervalMs, timeoutMs, onReport);
    }
    const gen: Generation = { config, engine, registry, adapters, openedAt: registry.openedAt, prober };
    if (old) carryOver(old, gen);
    registry.onBreaker = (t) => {
      registry.clock(t);
      for (const h of this.hooks) h.breaker?.(t, gen);
    };
    return gen;
  }

  private onProbe(gen: Generation, r: ProbeReport): void {
    // A probe of a replaced generation may finish after the swap; its verdict is about the old config.
    if (gen !== this.gen || !gen.adapters.has(r.backend)) return;
    const changed = gen.registry.probed(r.backend, r.ok, r.error);
    for (const h of this.hooks) h.probed?.(r, changed, gen);
    const adapter = gen.adapters.get(r.backend)!;
    this.probeShare?.publish({
      ...probeTarget(adapter.backend),
      ok: r.ok,
      healthy: gen.registry.backend(r.backend).healthy,
      error: r.error,
      ms: Math.round(r.ms),
      at: Date.now(),
    });
  }
}

/**
 * A registry that also remembers when each breaker opened, whether it tripped here or the
 * transition came from elsewhere (another replica through Redis, the router's states): the
 * router publishes the time, and a reload re-opens a carried breaker at it.
 */
class ClockedRegistry extends BackendStateRegistry {
  readonly openedAt = new Map<string, number>();

  override applyBreaker(t: BreakerTransition): void {
    super.applyBreaker(t);
    this.clock(t);
  }

  clock(t: BreakerTransition): void {
    if (t.state === 'open') this.openedAt.set(t.key, t.at);
    else if (t.state === 'closed') this.openedAt.delete(t.key);
  }
}

/** Health, statistics, in-flight counts and open breakers of backends that keep their name move to the new generation. */
function carryOver(old: Generation, next: Generation): void {
  const now = Date.now();
  const carryBreaker = (key: string, state: BreakerState): void => {
    if (state === 'closed') return;
    // Re-opened at its original time: a breaker that was half-open becomes half-open again at once.
    const at = old.openedAt.get(key) ?? now;
    next.registry.applyBreaker({ key, state: 'open', at });
  };
  for (const b of next.config.backends) {
    if (!old.adapters.has(b.name)) continue;
    const s = old.registry.backend(b.name);
    next.registry.setHealth(b.name, s.healthy, old.registry.lastError(b.name));
    next.registry.setStats(b.name, s.ttftMs, s.tokensPerSec);
    // Requests still running end on the new generation (the gateway counts in the current one).
    for (let i = 0; i < s.inFlight; i++) next.registry.begin(b.name);
    carryBreaker(b.name, s.breaker);
    for (const m of b.models) carryBreaker(`${b.name}/${m.id}`, old.registry.breaker(b.name, m.id));
  }
}
