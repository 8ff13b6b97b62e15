import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { AdapterSet, probeBackend, type BackendAdapter, type ProbeReport } from '@switchyard/adapters';
import type { SwitchyardConfig } from '@switchyard/contracts';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';

/** How long a replaced adapter keeps its pool for requests (long streams) already using it. */
const RETIRE_GRACE_MS = 60_000;

/** One adapter (and so one keep-alive pool) per configured backend. */
@Injectable()
export class BackendsService implements OnApplicationShutdown {
  private readonly adapters = new AdapterSet();

  constructor(@Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime) {
    this.apply(runtime.config);
  }

  /** Adapters for a (new) config: unchanged backends keep theirs. */
  apply(config: SwitchyardConfig): void {
    this.adapters.apply(config.backends, RETIRE_GRACE_MS);
  }

  get(name: string): BackendAdapter {
    const adapter = this.adapters.get(name);
    if (!adapter) throw new Error(`unknown backend ${name}`);
    return adapter;
  }

  all(): Iterable<BackendAdapter> {
    return this.adapters.values();
  }

  /** Probes every backend at once; each gets `timeoutMs`. */
  probeAll(timeoutMs: number): Promise<ProbeReport[]> {
    return Promise.all([...this.adapters.values()].map((a) => probeBackend(a, timeoutMs)));
  }

  onApplicationShutdown(): Promise<void> {
    return this.adapters.close();
  }
}
