import { backendSecrets, secretValues, type BackendConfig } from '@switchyard/contracts';
import type { BackendAdapter } from './adapter';
import { createAdapter } from './registry';

/**
 * The adapters (and so the connection pools) of one process's backends, across config reloads:
 * a backend whose settings did not change keeps its adapter; a replaced or removed one is closed
 * once `graceMs` has passed, so requests and probes still using it can finish. The secrets the
 * adapters send are registered for redaction by value while any adapter holding them lives.
 */
export class AdapterSet {
  private adapters = new Map<string, BackendAdapter>();
  private readonly retiring = new Map<BackendAdapter, NodeJS.Timeout>();

  /** The adapters for `backends`, by name; retires those no longer used. */
  apply(backends: readonly BackendConfig[], graceMs: number): ReadonlyMap<string, BackendAdapter> {
    const next = new Map<string, BackendAdapter>();
    for (const b of backends) {
      const prev = this.adapters.get(b.name);
      next.set(b.name, prev && JSON.stringify(prev.backend) === JSON.stringify(b) ? prev : createAdapter(b));
    }
    const kept = new Set(next.values());
    for (const a of this.adapters.values()) {
      if (kept.has(a)) continue;
      const timer = setTimeout(() => {
        this.retiring.delete(a);
        this.registerSecrets();
        void a.close().catch(() => undefined);
      }, graceMs);
      timer.unref();
      this.retiring.set(a, timer);
    }
    this.adapters = next;
    this.registerSecrets();
    return next;
  }

  get(name: string): BackendAdapter | undefined {
    return this.adapters.get(name);
  }

  values(): Iterable<BackendAdapter> {
    return this.adapters.values();
  }

  /** Closes every adapter, current and retiring. */
  async close(): Promise<void> {
    for (const timer of this.retiring.values()) clearTimeout(timer);
    const all = [...this.adapters.values(), ...this.retiring.keys()];
    this.retiring.clear();
    secretValues.delete(this);
    await Promise.allSettled(all.map((a) => a.close()));
  }

  private registerSecrets(): void {
    const live = [...this.adapters.values(), ...this.retiring.keys()];
    secretValues.set(
      this,
      live.flatMap((a) => backendSecrets(a.backend)),
    );
  }
}
