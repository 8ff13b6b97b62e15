import type { FastifyRequest } from 'fastify';
import type { CacheConfig, CacheMode, CacheOverrideConfig, ChatCompletionRequest, SemanticCacheConfig, SwitchyardConfig } from '@switchyard/contracts';
import '../auth/principal';

/** The request header, as Swagger shows it on the chat operations. */
export const CACHE_HEADER = {
  name: 'x-switchyard-cache',
  required: false,
  enum: ['no-cache', 'no-store', 'force-refresh'],
  description:
    'Where the response cache is on: `no-cache` neither reads nor keeps, `no-store` may answer from the cache but keeps nothing, `force-refresh` asks the backend and replaces the entry. The answer says `hit`, `hit;semantic;score=…`, `miss` or `bypass` in the same header.',
};

/** A client's say over the cache for one request. */
export interface CacheDirective {
  /** The answer may come from the cache. */
  read: boolean;
  /** A fresh answer may be kept. */
  write: boolean;
}

const FREE: CacheDirective = { read: true, write: true };

/**
 * `x-switchyard-cache`: `no-cache` leaves the cache alone (not read, nothing kept), `no-store`
 * may be answered from it but keeps nothing, `force-refresh` asks the backend and replaces the
 * entry. `Cache-Control` as HTTP means it: `no-cache` or `max-age=0` revalidates (a refresh),
 * `no-store` keeps nothing. Unknown directives are ignored.
 */
export function cacheDirective(req: FastifyRequest): CacheDirective {
  const own = req.headers['x-switchyard-cache'];
  const http = req.headers['cache-control'];
  if (own === undefined && http === undefined) return FREE;
  let read = true;
  let write = true;
  for (const d of directives(own)) {
    if (d === 'no-cache') read = write = false;
    else if (d === 'no-store') write = false;
    else if (d === 'force-refresh') read = false;
  }
  for (const d of directives(http)) {
    if (d === 'no-cache' || d === 'max-age=0') read = false;
    else if (d === 'no-store') write = false;
  }
  return { read, write };
}

function directives(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(',') : value;
  return text
    .toLowerCase()
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The cache's settings for one request: the config's, then its public model's, then its tenant's. */
export interface CacheSettings {
  mode: CacheMode;
  ttlSeconds: number;
  semantic: SemanticCacheConfig;
}

const DEFAULT_SEMANTIC: SemanticCacheConfig = { embeddingModel: 'embed', threshold: 0.92 };

/** Per config generation: each public model's override, found without a scan of the model list. */
const overrides = new WeakMap<SwitchyardConfig, Map<string, CacheOverrideConfig>>();

function modelOverride(config: SwitchyardConfig, model: string): CacheOverrideConfig | undefined {
  let byName = overrides.get(config);
  if (byName === undefined) {
    byName = new Map();
    for (const m of config.models) if (m.cache !== undefined) byName.set(m.name, m.cache);
    overrides.set(config, byName);
  }
  return byName.get(model);
}

export function cacheSettings(config: SwitchyardConfig, model: string, tenant: { mode?: CacheMode; ttlSeconds?: number } | undefined): CacheSettings {
  const base: CacheConfig = config.cache;
  const byModel = modelOverride(config, model);
  return {
    mode: tenant?.mode ?? byModel?.mode ?? base.mode,
    ttlSeconds: tenant?.ttlSeconds ?? byModel?.ttlSeconds ?? base.ttlSeconds,
    semantic: byModel?.semantic ?? base.semantic ?? DEFAULT_SEMANTIC,
  };
}

/**
 * Whether the request asks for a sampled answer, one meant to differ each time: a temperature
 * above 0 (or a nucleus below 1) without a seed. A request that sets neither is not: its client
 * expressed no wish for variety.
 */
export function sampled(request: ChatCompletionRequest): boolean {
  if (typeof request.seed === 'number') return false;
  const t = request.temperature;
  const p = request.top_p;
  return (typeof t === 'number' && t > 0) || (typeof p === 'number' && p < 1);
}

/** The namespace a tenant's entries live in: its own id, unless an operator put it in a shared one. */
export function cacheNamespace(req: FastifyRequest): string | undefined {
  const principal = req.principal;
  if (principal === undefined) return undefined;
  const shared = principal.grants?.cache?.namespace;
  // Tenant ids are `tnt_…` or `admin`: a namespace can never be mistaken for one.
  return shared !== undefined ? `ns:${shared}` : principal.tenantId;
}
