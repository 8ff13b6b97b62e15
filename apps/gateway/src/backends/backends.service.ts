import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createAdapter, type BackendAdapter } from '@switchyard/adapters';
import type { BackendConfig, SwitchyardConfig } from '@switchyard/contracts';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';

export interface ProbeResult {
  backend: string;
  tier: BackendConfig['tier'];
  up: boolean;
  error?: string;
}

/** How long a replaced adapter keeps its pool for requests already using it. */
const RETIRE_GRACE_MS = 60_000;

/** One adapter (and so one keep-alive pool) per configured backend. */
@Injectable()
export class BackendsService implements OnApplicationShutdown {
  private adapters = new Map<string, BackendAdapter>();
  private readonly retiring = new Set<BackendAdapter>();

  constructor(@Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime) {
    this.apply(runtime.config);
  }

  /**
   * Adapters for a (new) config: unchanged backends keep theirs; replaced or removed ones are
   * closed once in-flight requests have had time to finish (undici's close waits for them).
   */
  apply(config: SwitchyardConfig): void {
    const next = new Map<string, BackendAdapter>();
    for (const b of config.backends) {
      const prev = this.adapters.get(b.name);
      next.set(b.name, prev && JSON.stringify(prev.backend) === JSON.stringify(b) ? prev : createAdapter(b));
    }
    const kept = new Set(next.values());
    for (const a of this.adapters.values()) {
      if (kept.has(a)) continue;
      this.retiring.add(a);
      setTimeout(() => {
        this.retiring.delete(a);
        void a.close().catch(() => undefined);
      }, RETIRE_GRACE_MS).unref();
    }
    this.adapters = next;
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
    await Promise.allSettled([...this.adapters.values(), ...this.retiring].map((a) => a.close()));
  }
}
