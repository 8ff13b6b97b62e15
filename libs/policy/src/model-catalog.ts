import type { BackendConfig, SwitchyardConfig, Tier } from '@switchyard/contracts';

export interface CatalogTarget {
  backend: string;
  /** The backend's own model id. */
  model: string;
  tier: Tier;
  weight: number;
}

export interface CatalogRoute {
  /** `model:<public name>` for a configured chain, `direct` for a backend model id. */
  route: string;
  targets: CatalogTarget[];
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
  private readonly routes = new Map<string, CatalogRoute>();
  readonly entries: readonly CatalogEntry[];

  constructor(config: SwitchyardConfig) {
    const backends = new Map<string, BackendConfig>(config.backends.map((b) => [b.name, b]));
    const entries: CatalogEntry[] = [];
    for (const m of config.models) {
      this.routes.set(m.name, {
        route: `model:${m.name}`,
        targets: m.targets.map((t) => {
          const b = backends.get(t.backend)!;
          return { backend: t.backend, model: t.model, tier: b.tier, weight: t.weight ?? b.weight ?? 1 };
        }),
      });
      entries.push({ id: m.name, ownedBy: 'switchyard' });
    }
    for (const b of config.backends) {
      for (const m of b.models) {
        const existing = this.routes.get(m.id);
        // A public name shadows a backend model id of the same name: the operator chose it.
        if (existing?.route.startsWith('model:')) continue;
        const target: CatalogTarget = { backend: b.name, model: m.id, tier: b.tier, weight: b.weight ?? 1 };
        if (existing) existing.targets.push(target);
        else {
          this.routes.set(m.id, { route: 'direct', targets: [target] });
          entries.push({ id: m.id, ownedBy: b.name });
        }
      }
    }
    this.entries = entries;
  }

  resolve(model: string): CatalogRoute | undefined {
    return this.routes.get(model);
  }
}
