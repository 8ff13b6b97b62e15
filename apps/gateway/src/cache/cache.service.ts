import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { CacheResult, ChatCompletion, ChatCompletionRequest } from '@switchyard/contracts';
import type { RequestFeatures, RouteCandidate, RouteDecision } from '@switchyard/policy';
import { PolicyRuntime } from '@switchyard/runtime';
import { RESPONSE_CACHE, SEMANTIC_INDEX, type ResponseCache, type SemanticIndex } from '@switchyard/store';
import { GatewayMetrics, type Logger } from '@switchyard/telemetry';
import '../auth/principal';
import { OutcomeBus } from '../observability/outcome-bus';
import { ChainExecutor } from '../routing/chain-executor.service';
import { PlacementService } from '../routing/placement.service';
import type { RequestContext } from '../routing/request-context';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { answerDefining, canonicalJson, digest, splitPrompt, type PromptSplit } from './cache-key';
import { cacheDirective, cacheNamespace, cacheSettings, sampled, type CacheSettings } from './cache-plan';
import { decodeAnswer, encodeAnswer, keepable, type CachedAnswer } from './cached-answer';
import { salientSignature } from './semantic-guard';

/** The inbound dialect: entries are never shared between doors (each keys its own body). */
export type Door = 'openai' | 'anthropic';

const PRUNE_EVERY_MS = 10 * 60_000;

/** What the request's non-message members are, for the near-match scope. */
const MESSAGES = new Set(['messages', 'system']);

/** One request's dealings with the cache, from its plan to its header. */
export class CacheLookup {
  result: CacheResult = 'bypass';
  /** Cosine similarity of a near match. */
  score?: number;
  /** The last user turn's embedding, computed on lookup and kept with the fresh answer. */
  vector?: number[];

  constructor(
    /** The tenant's id, or its shared namespace. */
    readonly tenant: string,
    readonly model: string,
    readonly door: Door,
    readonly settings: CacheSettings,
    readonly read: boolean,
    readonly write: boolean,
    /** The request's answer-defining members, canonical. */
    readonly body: string,
    /** For near matches: the prompt split at its last user turn, and the other members. */
    readonly near?: { split: PromptSplit; params: string },
  ) {}

  /** `x-switchyard-cache`: hit, `hit;semantic;score=0.97`, miss or bypass. */
  header(): string {
    return this.result === 'semantic' ? `hit;semantic;score=${(this.score ?? 0).toFixed(3)}` : this.result;
  }

  /** The exact key of the answer of `candidate` (the first of the chain on lookup, the one that served on store). */
  keyOf(decision: RouteDecision, candidate: RouteCandidate): string {
    return digest(`${this.door}\n${decision.route}\n${candidate.backend}\n${candidate.model}\n${privacyState(decision)}\n${this.body}`);
  }

  /** Near matches share this scope: same route, backend, model, privacy, parameters, earlier turns and salient terms. */
  scopeOf(decision: RouteDecision, candidate: RouteCandidate): string | undefined {
    const near = this.near;
    if (near === undefined) return undefined;
    return digest(
      `${this.door}\n${decision.route}\n${candidate.backend}\n${candidate.model}\n${privacyState(decision)}\n${near.params}\n${near.split.before}\n${salientSignature(near.split.last)}`,
    );
  }
}

/** The redaction state an answer was made under: the same prompt redacted and not are different requests. */
function privacyState(decision: RouteDecision): string {
  const p = decision.privacy;
  return p.categories.length === 0 ? p.action : `${p.action}:${[...p.categories].sort().join(',')}`;
}

/**
 * The response cache between the decision and the chain: an exact entry per tenant, request and
 * placement, and optionally near matches of the last user turn. A failing store (Redis down) turns
 * the request into a bypass; it never fails the request.
 */
@Injectable()
export class CacheService implements OnModuleDestroy {
  private readonly log: Logger;
  /** Drops expired near-match vectors now and then (exact entries expire in their store). */
  private readonly pruning?: NodeJS.Timeout;
  private nearUsed = false;
  /** Writes of fresh answers still under way. */
  private readonly writing = new Set<Promise<void>>();
  private readonly lookups: Counter<'result'>;
  private readonly lookupSeconds: Histogram<'kind'>;
  private readonly saved: Counter;
  private readonly failures: Counter<'op'>;
  /** Last time a store failure was logged: one line per minute at most. */
  private loggedAt = 0;

  constructor(
    @Inject(RESPONSE_CACHE) private readonly exact: ResponseCache,
    @Optional() @Inject(SEMANTIC_INDEX) private readonly near: SemanticIndex | null,
    private readonly chain: ChainExecutor,
    private readonly placement: PlacementService,
    private readonly policy: PolicyRuntime,
    metrics: GatewayMetrics,
    outcomes: OutcomeBus,
    @Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime,
  ) {
    this.log = runtime.logger.child({ component: 'cache' });
    const registers = [metrics.registry];
    this.lookups = new Counter({
      name: 'switchyard_cache_requests_total',
      help: 'Requests the response cache saw, by result: hit, semantic (a near match), miss, bypass.',
      labelNames: ['result'],
      registers,
    });
    this.lookupSeconds = new Histogram({
      name: 'switchyard_cache_lookup_seconds',
      help: 'Time to look an answer up, by kind (exact, semantic: the embedding call included).',
      labelNames: ['kind'],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    });
    this.saved = new Counter({
      name: 'switchyard_cache_saved_usd_total',
      help: 'USD cache hits saved: what asking their backends again would have cost.',
      registers,
    });
    this.failures = new Counter({
      name: 'switchyard_cache_errors_total',
      help: 'Cache store calls that failed (the request went on as a bypass), by operation.',
      labelNames: ['op'],
      registers,
    });
    const store = this.exact;
    new Gauge({
      name: 'switchyard_cache_bytes',
      help: 'Bytes the exact cache holds (this process: memory; with Redis, what this process wrote and still counts).',
      registers,
      collect() {
        this.set(store.stats().bytes);
      },
    });
    new Gauge({
      name: 'switchyard_cache_entries',
      help: 'Entries the exact cache holds.',
      registers,
      collect() {
        this.set(store.stats().entries);
      },
    });
    new Gauge({
      name: 'switchyard_cache_evictions',
      help: 'Entries the exact cache dropped for room since the process started.',
      registers,
      collect() {
        this.set(store.stats().evictions);
      },
    });
    if (this.near?.prune !== undefined) {
      // Only once near matches were used: pruning must not be what opens a lazy database.
      this.pruning = setInterval(() => {
        if (this.nearUsed) void this.near!.prune!().catch((err: unknown) => this.failed('prune', err));
      }, PRUNE_EVERY_MS);
      this.pruning.unref();
    }
    outcomes.subscribe((o) => {
      if (o.cache === undefined) return;
      this.lookups.inc({ result: o.cache });
      if (o.cacheSavedUsd !== undefined && o.cacheSavedUsd > 0) this.saved.inc(o.cacheSavedUsd);
    });
  }

  /** Before the stores close: the answers being kept get there. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.pruning);
    await this.idle();
  }

  /**
   * The request's plan, or undefined when the cache is off for it (then it says nothing). `body`
   * is the request as its door received it; `request` its canonical form.
   */
  begin(req: FastifyRequest, door: Door, body: Record<string, unknown>, request: ChatCompletionRequest): CacheLookup | undefined {
    const config = this.policy.current.config;
    const settings = cacheSettings(config, request.model, req.principal?.grants?.cache);
    if (settings.mode === 'off') return undefined;
    const tenant = cacheNamespace(req);
    if (tenant === undefined) return undefined;
    const directive = cacheDirective(req);
    const eligible = config.cache.sampled || !sampled(request);
    const read = eligible && directive.read;
    const write = eligible && directive.write;
    if (!read && !write) return this.mark(req, new CacheLookup(tenant, request.model, door, settings, false, false, ''));
    const split = settings.mode === 'semantic' ? splitPrompt(request.messages) : undefined;
    const near = split === undefined ? undefined : { split, params: canonicalJson(answerDefining(body, MESSAGES)) };
    return this.mark(req, new CacheLookup(tenant, request.model, door, settings, read, write, canonicalJson(answerDefining(body)), near));
  }

  private mark(req: FastifyRequest, lookup: CacheLookup): CacheLookup {
    if (req.outcome !== undefined) req.outcome.cache = lookup.result;
    return lookup;
  }

  /** The cached answer for the decision's first choice, exact first, then the nearest; undefined on a miss. */
  async find(lookup: CacheLookup, decision: RouteDecision, features: RequestFeatures, ctx: RequestContext): Promise<CachedAnswer | undefined> {
    if (!lookup.read) return undefined;
    const first = decision.candidates[0];
    const t0 = performance.now();
    let found: CachedAnswer | undefined;
    try {
      const bytes = await this.exact.get({ tenantId: lookup.tenant, model: lookup.model, key: lookup.keyOf(decision, first) });
      found = bytes === undefined ? undefined : decodeAnswer(bytes);
      this.lookupSeconds.observe({ kind: 'exact' }, (performance.now() - t0) / 1000);
    } catch (err) {
      this.failed('get', err);
      return this.settle(lookup, ctx, 'bypass');
    }
    if (found !== undefined) return this.served(lookup, ctx, found, 'hit');
    const scope = lookup.scopeOf(decision, first);
    if (lookup.settings.mode === 'semantic' && scope !== undefined && this.near !== null) {
      const t1 = performance.now();
      try {
        found = await this.nearest(lookup, scope, features, ctx);
      } catch (err) {
        this.failed('semantic', err);
      }
      this.lookupSeconds.observe({ kind: 'semantic' }, (performance.now() - t1) / 1000);
      if (found !== undefined) return this.served(lookup, ctx, found, 'semantic');
    }
    return this.settle(lookup, ctx, 'miss');
  }

  private async nearest(lookup: CacheLookup, scope: string, features: RequestFeatures, ctx: RequestContext): Promise<CachedAnswer | undefined> {
    this.nearUsed = true;
    const vector = await this.embed(lookup, features, ctx);
    if (vector === undefined) return undefined;
    lookup.vector = vector;
    const match = await this.near!.nearest({ tenantId: lookup.tenant, scope, vector, minScore: lookup.settings.semantic.threshold });
    if (match === undefined) return undefined;
    const bytes = await this.exact.get({ tenantId: lookup.tenant, model: lookup.model, key: match.key });
    const found = bytes === undefined ? undefined : decodeAnswer(bytes);
    if (found !== undefined) lookup.score = match.score;
    return found;
  }

  /**
   * The last user turn's embedding by the configured model, routed like any request of the tenant's:
   * its privacy stance and the prompt's PII keep it local, and the egress check guards cloud calls.
   * Its attempts are not the request's own (a separate context). Undefined when nothing served it.
   */
  private async embed(lookup: CacheLookup, features: RequestFeatures, ctx: RequestContext): Promise<number[] | undefined> {
    const text = lookup.near!.split.last;
    const model = lookup.settings.semantic.embeddingModel;
    const embedFeatures: RequestFeatures = {
      tenant: features.tenant,
      keyId: features.keyId,
      model,
      promptTokens: Math.ceil(text.length / 4),
      stream: false,
      tags: features.tags,
      headers: features.headers,
      pii: features.pii,
      embeddings: true,
    };
    if (features.onPii !== undefined) embedFeatures.onPii = features.onPii;
    if (features.unscannable !== undefined) embedFeatures.unscannable = features.unscannable;
    const own: RequestContext = { ...ctx, outcome: undefined, upstreamMs: 0 };
    try {
      const placed = await this.chain.run(embedFeatures, own, (adapter, candidate) => {
        const { request, ctx: call } = this.placement.privacy.outbound({ model, input: text }, undefined, candidate, own, false);
        return adapter.embeddings(request, candidate.model, call);
      });
      placed.settle({ success: true });
      const v = placed.result.data[0]?.embedding;
      return Array.isArray(v) && v.length > 0 ? v : undefined;
    } catch (err) {
      this.failed('embed', err);
      return undefined;
    }
  }

  private served(lookup: CacheLookup, ctx: RequestContext, found: CachedAnswer, result: 'hit' | 'semantic'): CachedAnswer {
    this.settle(lookup, ctx, result);
    const draft = ctx.outcome;
    if (draft !== undefined) {
      draft.backend = found.backend;
      draft.tier = found.tier;
      draft.inputTokens = found.inputTokens;
      draft.outputTokens = found.outputTokens;
      draft.cacheServed = { backend: found.backend, model: found.model };
    }
    return found;
  }

  private settle(lookup: CacheLookup, ctx: RequestContext, result: CacheResult): undefined {
    lookup.result = result;
    if (ctx.outcome !== undefined) ctx.outcome.cache = result;
    return undefined;
  }

  /**
   * Keeps a fresh answer, off the request path (a failure is counted and logged, never the
   * client's). Only an answer that ended well: see `keepable`.
   */
  keep(lookup: CacheLookup, decision: RouteDecision, candidate: RouteCandidate, completion: ChatCompletion, body: string): void {
    if (!lookup.write) return;
    const config = this.policy.current.config.cache;
    if (!keepable(completion, config.truncated)) return;
    if (body.length > config.maxEntryBytes) return;
    const entry: CachedAnswer = {
      body,
      backend: candidate.backend,
      model: candidate.model,
      tier: candidate.tier,
      inputTokens: completion.usage?.prompt_tokens ?? 0,
      outputTokens: completion.usage?.completion_tokens ?? 0,
      storedAt: Date.now(),
    };
    const ttlMs = lookup.settings.ttlSeconds * 1000;
    const key = lookup.keyOf(decision, candidate);
    const scope = lookup.vector === undefined ? undefined : lookup.scopeOf(decision, candidate);
    const write = this.exact
      .set({ tenantId: lookup.tenant, model: lookup.model, key }, encodeAnswer(entry), ttlMs)
      .then(() =>
        scope === undefined || this.near === null
          ? undefined
          : this.near.add({ tenantId: lookup.tenant, model: lookup.model, scope, key, vector: lookup.vector! }, ttlMs),
      )
      .catch((err: unknown) => this.failed('set', err))
      .finally(() => this.writing.delete(write));
    this.writing.add(write);
  }

  /** Resolves when the answers being kept are in their stores (at shutdown, and for tests). */
  async idle(): Promise<void> {
    while (this.writing.size > 0) await Promise.all([...this.writing]);
  }

  private failed(op: string, err: unknown): void {
    this.failures.inc({ op });
    const now = Date.now();
    if (now - this.loggedAt < 60_000) return;
    this.loggedAt = now;
    this.log.warn({ op, error: err instanceof Error ? err.message : String(err) }, 'response cache unavailable: requests bypass it');
  }
}
