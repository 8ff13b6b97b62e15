import type { BackendSnapshot, BreakerState, StateView } from '@switchyard/policy';

/**
 * The router's state with the asking gateway's in-flight counts laid over it. The router proxies
 * nothing, so its own counts are always zero; only the caller knows how busy each backend is for it.
 */
export class InFlightView implements StateView {
  constructor(
    private readonly base: StateView,
    private readonly inFlight: Readonly<Record<string, number>>,
  ) {}

  backend(name: string): BackendSnapshot {
    const s = this.base.backend(name);
    // Own keys only: a backend may be called `constructor`.
    return Object.hasOwn(this.inFlight, name) ? { ...s, inFlight: this.inFlight[name] } : s;
  }

  breaker(backend: string, model: string): BreakerState {
    return this.base.breaker(backend, model);
  }
}
