import type { BackendConfig, SwitchyardConfig, Tier } from '@switchyard/contracts';

export interface RouteCandidate {
  backend: string;
  /** The backend's own model id. */
  model: string;
  tier: Tier;
}

export interface RouteDecision {
  /** What placed the request: `model:<public name>` for a configured chain, `direct` for a backend model id. */
  route: string;
  candidates: RouteCandidate[];
}

export interface CatalogEntry {
  id: string;
  ownedBy: string;
}

/**
 * Model names clients may ask for, and the ordered fallback chain each one means.
 * A public model's chain is its `targets`; a backend model id's chain is every backend
 * listing it, in config order. Built once per config; lookups are a map read.
 */
export class ModelCatalog {
  private readonly decisions = new Map<string, RouteDecision>();
  readonly entries: readonly CatalogEntry[];

  constructor(config: SwitchyardConfig) {
    const backends = new Map<string, BackendConfig>(config.backends.map((b) => [b.name, b]));
    const entries: CatalogEntry[] = [];
    for (const m of config.models) {
      this.decisions.set(m.name, {
        route: `model:${m.name}`,
        candidates: m.targets.map((t) => ({ backend: t.backend, model: t.model, tier: backends.get(t.backend)!.tier })),
      });
      entries.push({ id: m.name, ownedBy: 'switchyard' });
    }
    for (const b of config.backends) {
      for (const m of b.models) {
        // A public name shadows a backend model id of the same name: the operator chose it.
        if (this.decisions.get(m.id)?.route.startsWith('model:')) continue;
        const existing = this.decisions.get(m.id);
        const candidate: RouteCandidate = { backend: b.name, model: m.id, tier: b.tier };
        if (existing) existing.candidates.push(candidate);
        else {
          this.decisions.set(m.id, { route: 'direct', candidates: [candidate] });
          entries.push({ id: m.id, ownedBy: b.name });
        }
      }
    }
    this.entries = entries;
  }

  resolve(model: string): RouteDecision | undefined {
    return this.decisions.get(model);
  }
}
