import type { BreakerConfig, SwitchyardConfig } from '@switchyard/contracts';
import type { BackendSnapshot, BreakerState, StateView } from '../engine/policy.types';
import { CircuitBreaker } from './circuit-breaker';
import { HealthTracker } from './health-tracker';
import { LatencyStats } from './latency-stats';

/** One attempt's result, as the gateway reports it (and as ReportOutcomes carries it). */
export interface AttemptOutcome {
  backend: string;
  model: string;
  success: boolean;
  /** HTTP-ish status: 200, or the mapped error status. */
  status: number;
  ttftMs?: number;
  outputTokens?: number;
  durationMs?: number;
}

export interface BreakerTransition {
  /** `backend` or `backend/model`. */
  key: string;
  state: BreakerState;
  at: number;
}

interface Entry {
  inFlight: number;
  health: HealthTracker;
  stats: LatencyStats;
  breaker: CircuitBreaker;
  /** Last failed attempt or probe (epoch ms): panic routing tries the least recently failed first. */
  lastFailureAt?: number;
}

/**
 * Live state of every backend in one process: in-flight counts, latency statistics, probe
 * health and circuit breakers (per backend and per backend/model). The engine reads it
 * through StateView; `onBreaker` lets a shared store mirror transitions to other replicas.
 */
export class BackendStateRegistry implements StateView {
  private readonly entries = new Map<string, Entry>();
  private readonly modelBreakers = new Map<string, CircuitBreaker>();
  onBreaker?: (t: BreakerTransition) => void;

  constructor(
    config: SwitchyardConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.breakerConfig = config.policy.breaker;
    const h = config.policy.health;
    for (const b of config.backends) {
      this.entries.set(b.name, {
        inFlight: 0,
        health: new HealthTracker(h.failuresToDown, h.successesToUp),
        stats: new LatencyStats(),
        breaker: new CircuitBreaker(this.breakerConfig),
      });
    }
  }

  private readonly breakerConfig: BreakerConfig;

  backend(name: string): BackendSnapshot {
    const e = this.entry(name);
    return {
      healthy: e.health.healthy,
      breaker: e.breaker.state(this.now()),
      inFlight: e.inFlight,
      ttftMs: e.stats.ttftMs,
      tokensPerSec: e.stats.tokensPerSec,
      lastFailureAt: e.lastFailureAt,
    };
  }

  breaker(backend: string, model: string): BreakerState {
    return this.modelBreakers.get(`${backend}/${model}`)?.state(this.now()) ?? 'closed';
  }

  begin(backend: string): void {
    this.entry(backend).inFlight++;
  }

  end(backend: string): void {
    const e = this.entry(backend);
    if (e.inFlight > 0) e.inFlight--;
  }

  record(o: AttemptOutcome): void {
    const e = this.entries.get(o.backend);
    if (!e) return;
    if (o.success) e.stats.record(o.ttftMs, o.outputTokens, o.durationMs);
    // Client errors (4xx other than 429) say nothing about the backend's health.
    const counts = o.success || o.status === 429 || o.status >= 500;
    if (!counts) return;
    const now = this.now();
    if (!o.success) e.lastFailureAt = now;
    this.transition(o.backend, e.breaker, o.success, now);
    const key = `${o.backend}/${o.model}`;
    let mb = this.modelBreakers.get(key);
    if (!mb) this.modelBreakers.set(key, (mb = new CircuitBreaker(this.breakerConfig)));
    this.transition(key, mb, o.success, now);
  }

  /** A probe result; returns true when the backend's verdict changed. */
  probed(backend: string, success: boolean, error?: string): boolean {
    const e = this.entries.get(backend);
    if (!e) return false;
    if (!success) e.lastFailureAt = this.now();
    return e.health.record(success, error);
  }

  /** Applies a transition made elsewhere (another replica, the router). */
  applyBreaker(t: BreakerTransition): void {
    const entry = this.entries.get(t.key);
    const breaker = entry?.breaker ?? this.modelBreakers.get(t.key) ?? this.newModelBreaker(t.key);
    if (!breaker) return;
    if (t.state === 'open') {
      breaker.forceOpen(t.at);
      if (entry) entry.lastFailureAt = Math.max(entry.lastFailureAt ?? t.at, t.at);
    } else if (t.state === 'closed') breaker.forceClose();
  }

  /** Sets probe health directly (state received from the router). */
  setHealth(backend: string, healthy: boolean, error?: string): void {
    const e = this.entries.get(backend);
    if (!e) return;
    while (e.health.healthy !== healthy) e.health.record(healthy, error);
  }

  setStats(backend: string, ttftMs: number | undefined, tokensPerSec: number | undefined): void {
    const e = this.entries.get(backend);
    if (!e) return;
    e.stats.ttftMs = ttftMs;
    e.stats.tokensPerSec = tokensPerSec;
  }

  lastError(backend: string): string | undefined {
    return this.entries.get(backend)?.health.lastError;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  private newModelBreaker(key: string): CircuitBreaker | undefined {
    if (!this.ownsModelKey(key)) return undefined;
    const b = new CircuitBreaker(this.breakerConfig);
    this.modelBreakers.set(key, b);
    return b;
  }

  /** Whether `backend/model` names a configured backend; backend names and model ids may both contain `/`. */
  private ownsModelKey(key: string): boolean {
    for (let i = key.indexOf('/'); i > 0; i = key.indexOf('/', i + 1)) if (this.entries.has(key.slice(0, i))) return true;
    return false;
  }

  private transition(key: string, breaker: CircuitBreaker, success: boolean, now: number): void {
    const before = breaker.state(now);
    const after = breaker.record(success, now);
    if (after !== before) this.onBreaker?.({ key, state: after, at: now });
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) throw new Error(`unknown backend ${name}`);
    return e;
  }
}
