import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createAdapter, type BackendAdapter } from '@switchyard/adapters';
import type { BackendConfig } from '@switchyard/contracts';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';

export interface ProbeResult {
  backend: string;
  tier: BackendConfig['tier'];
  up: boolean;
  error?: string;
}

/** One adapter (and so one keep-alive pool) per configured backend. */
@Injectable()
export class BackendsService implements OnApplicationShutdown {
  private readonly adapters = new Map<string, BackendAdapter>();

  constructor(@Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime) {
    for (const backend of runtime.config.backends) this.adapters.set(backend.name, createAdapter(backend));
  }

  get(name: string): BackendAdapter {
    const adapter = this.adapters.get(name);
    if (!adapter) throw new Error(`unknown backend ${name}`);
    return adapter;
  }

  /** Probes every backend at once; each gets `timeoutMs`. */
  probeAll(timeoutMs: number): Promise<ProbeResult[]> {
    return Promise.all(
      [...this.adapters.values()].map(async (a): Promise<ProbeResult> => {
        try {
          await a.probe(AbortSignal.timeout(timeoutMs));
          return { backend: a.backend.name, tier: a.backend.tier, up: true };
        } catch (err) {
          return { backend: a.backend.name, tier: a.backend.tier, up: false, error: (err as Error).message };
        }
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.adapters.values()].map((a) => a.close()));
  }
}
