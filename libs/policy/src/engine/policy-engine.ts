import type { BackendConfig, PiiAction, Strategy, SwitchyardConfig } from '@switchyard/contracts';
import { ModelCatalog, type CatalogTarget } from '../model-catalog';
import { capabilitiesOf, missingCapability, type TargetCapabilities } from './capabilities';
import { compileGlob } from './glob';
import { compileRules, type CompiledRule } from './rules';
import { estimateCost, orderByStrategy, predictMs, type Scored } from './strategies';
import type { BackendSnapshot, DecisionScope, DropCode, DroppedCandidate, RequestFeatures, RouteCandidate, RouteDecision, StateView } from './policy.types';

interface ModelInfo {
  contextWindow?: number;
  price?: { input: number; output: number };
  capabilities: TargetCapabilities;
}

/** What the engine weighs of one chain target, looked up once per config rather than per request. */
interface TargetInfo extends ModelInfo {
  backend: BackendConfig;
}

/**
 * Decides where a request may and should run: the first matching rule, privacy, capabilities,
 * context windows, health and breakers narrow the model's chain; the strategy orders what is left.
 * Pure: the same features and state always give the same decision (weighted draws aside).
 */
export class PolicyEngine {
  readonly catalog: ModelCatalog;
  private readonly rules: CompiledRule[];
  private readonly backends: Map<string, BackendConfig>;
  private readonly models = new Map<string, ModelInfo>();
  private readonly targetInfo = new Map<CatalogTarget, TargetInfo>();
  private readonly strategy: Strategy;
  private readonly onPii: PiiAction;
  /** Unscannable content keeps a request local (under any privacy stance but `allow`). */
  private readonly unscannableLocal: boolean;
  /** Request headers some rule looks at (lower case): the only ones a request's features need carry. */
  readonly ruleHeaders: readonly string[];
  private readonly ruleTenant: boolean;
  private readonly ruleTags: boolean;
  /** Whether a model's decisions may be weighted draws. */
  private readonly drawn: (model: string) => boolean;
  private readonly scopes = new Map<string, DecisionScope>();

  constructor(
    config: SwitchyardConfig,
    private readonly random: () => number = Math.random,
  ) {
    this.catalog = new ModelCatalog(config);
    this.rules = compileRules(config.policy.rules);
    this.backends = new Map(config.backends.map((b) => [b.name, b]));
    for (const b of config.backends) {
      for (const m of b.models) {
        this.models.set(`${b.name}\u0000${m.id}`, {
          contextWindow: m.contextWindow ?? b.contextWindow,
          price: m.price ?? b.price,
          capabilities: capabilitiesOf(b.protocol, b.capabilities, m.capabilities),
        });
      }
    }
    this.strategy = config.policy.strategy;
    this.onPii = config.policy.privacy.onPii;
    this.unscannableLocal = config.policy.privacy.unscannable === 'local-only';
    this.ruleHeaders = [...new Set(config.policy.rules.flatMap((r) => Object.keys(r.match.header ?? {}).map((h) => h.toLowerCase())))];
    this.ruleTenant = config.policy.rules.some((r) => r.match.tenant !== undefined);
    this.ruleTags = config.policy.rules.some((r) => (r.match.tags?.length ?? 0) > 0);
    const weightedRules = config.policy.rules.filter((r) => r.action.strategy === 'weighted').map((r) => compileGlob(r.match.model ?? '*'));
    this.drawn = this.strategy === 'weighted' ? () => true : (model) => weightedRules.some((g) => g(model));
  }

  /**
   * What `decide` reads of a request for this model beyond what it always reads (see DecisionScope).
   * Every rule counts, matched or not: which rule matches is itself decided by what they read.
   */
  scope(model: string): DecisionScope {
    let scope = this.scopes.get(model);
    if (scope === undefined) {
      const entry = this.catalog.resolve(model);
      scope = {
        tenant: this.ruleTenant,
        tags: this.ruleTags,
        headers: this.ruleHeaders,
        inFlight: entry ? [...new Set(entry.targets.map((t) => t.backend))] : [],
        weighted: entry !== undefined && this.drawn(model),
      };
      // Unknown models are not kept: a client can name any number of them.
      if (entry) this.scopes.set(model, scope);
    }
    return scope;
  }

  /** undefined when the model is unknown (the caller answers 404 model_not_found). */
  decide(f: RequestFeatures, state: StateView): RouteDecision | undefined {
    const entry = this.catalog.resolve(f.model);
    if (!entry) return undefined;
    const rule = this.rules.find((r) => r.matches(f));
    const route = rule ? rule.name : entry.route;
    const strategy = rule?.action.strategy ?? this.strategy;
    // A tenant's stance replaces the config's for its requests.
    const onPii = f.onPii ?? this.onPii;
    const unscannable = this.unscannableLocal && onPii !== 'allow' && f.unscannable !== undefined && f.unscannable.length > 0 ? f.unscannable : undefined;
    let privacyAction: RouteDecision['privacy']['action'] = f.pii.length === 0 ? 'none' : onPii;
    // What cannot be read cannot be redacted or cleared either: it stays local.
    if (unscannable && privacyAction !== 'deny') privacyAction = 'local-only';
    const decision: RouteDecision = { route, strategy, candidates: [], dropped: [], privacy: { categories: f.pii, action: privacyAction } };
    if (unscannable) decision.privacy.unscannable = unscannable;

    if (rule?.action.deny) return { ...decision, deny: { code: 'policy_denied', message: `Refused by policy rule "${rule.name}": ${rule.action.deny}` } };
    if (privacyAction === 'deny') {
      return { ...decision, deny: { code: 'pii_denied', message: `The prompt contains personal data (${f.pii.join(', ')}) and policy refuses it.` } };
    }

    // Placement constraints: the rule's tier/backends, then privacy.
    let targets: CatalogTarget[] = entry.targets;
    const tier = rule?.action.tier;
    if (tier && tier !== 'any') targets = this.keep(targets, (t) => t.tier === tier, `rule "${route}" keeps tier ${tier}`, 'rule', decision.dropped);
    const allowed = rule?.action.backends;
    if (allowed)
      targets = this.keep(targets, (t) => allowed.includes(t.backend), `rule "${route}" allows backends ${allowed.join(', ')}`, 'rule', decision.dropped);
    if (privacyAction === 'local-only') {
      const found = f.pii.length > 0 ? `prompt has ${f.pii.join(', ')}; onPii local-only` : '';
      const unread = unscannable ? `prompt has content that cannot be scanned (${unscannable.join(', ')}); privacy.unscannable local-only` : '';
      targets = this.keep(targets, (t) => t.tier === 'local', `privacy: ${[found, unread].filter(Boolean).join('; ')}`, 'privacy', decision.dropped);
      if (targets.length === 0) {
        const what = f.pii.length > 0 ? `personal data (${f.pii.join(', ')})` : `content that cannot be scanned for personal data (${unscannable!.join(', ')})`;
        return {
          ...decision,
          deny: {
            code: 'pii_local_only',
            message: `The prompt contains ${what} and policy keeps it on local backends, but no local backend serves model ${f.model}.`,
          },
        };
      }
    }

    // What the request needs that a target's protocol (or its configured capabilities) cannot do.
    targets = targets.filter((t) => {
      const missing = missingCapability(this.info(t).capabilities, f);
      if (missing === undefined) return true;
      decision.dropped.push({ ...strip(t), reason: missing.reason, code: 'capability', param: missing.param });
      return false;
    });

    // Capacity constraints: context window, then health and breakers.
    const needed = f.promptTokens + (f.maxTokens ?? 0);
    targets = targets.filter((t) => {
      const cw = this.info(t).contextWindow;
      if (cw === undefined || needed <= cw) return true;
      decision.dropped.push({
        ...strip(t),
        code: 'context_window',
        reason: `context window ${cw} < ${needed} tokens (prompt ~${f.promptTokens} + max_tokens ${f.maxTokens ?? 0})`,
      });
      return false;
    });
    const live: CatalogTarget[] = [];
    const excluded: { t: CatalogTarget; reason: string; code: DropCode; lastFailureAt: number }[] = [];
    const snapshots = new Map<string, BackendSnapshot>();
    for (const t of targets) {
      let s = snapshots.get(t.backend);
      if (s === undefined) snapshots.set(t.backend, (s = state.backend(t.backend)));
      const breaker = s.breaker === 'open' ? 'open' : state.breaker(t.backend, t.model);
      const code: DropCode | undefined = !s.healthy ? 'unhealthy' : breaker === 'open' ? 'circuit_open' : undefined;
      if (code === undefined) live.push(t);
      else {
        const reason = code === 'unhealthy' ? 'health probes failing' : 'circuit open';
        excluded.push({ t, reason, code, lastFailureAt: s.lastFailureAt ?? Number.NEGATIVE_INFINITY });
        decision.dropped.push({ ...strip(t), reason, code });
      }
    }

    const scored: Scored[] = live.map((t) => this.score(t, entry.targets.indexOf(t), snapshots.get(t.backend)!, privacyAction));
    for (const s of orderByStrategy(strategy, scored, f, this.random)) decision.candidates.push(this.estimate(s, f));
    // Panic routing (Envoy's panic threshold): what breakers and probes excluded still follows the
    // live candidates, least recently failed first, so a chain whose live candidates all fail (or
    // that has none) still makes a call: probes and breakers can be wrong, and an error is no better.
    excluded.sort((a, b) => a.lastFailureAt - b.lastFailureAt || entry.targets.indexOf(a.t) - entry.targets.indexOf(b.t));
    for (const x of excluded) {
      const c = this.estimate(this.score(x.t, entry.targets.indexOf(x.t), snapshots.get(x.t.backend)!, privacyAction), f);
      c.panic = true;
      c.code = 'panic';
      c.reason = `panic: ${x.reason}, tried only if every candidate before it fails (least recently failed first)`;
      decision.candidates.push(c);
    }
    return decision;
  }

  private score(t: CatalogTarget, order: number, state: BackendSnapshot, privacyAction: RouteDecision['privacy']['action']): Scored {
    const info = this.info(t);
    const b = info.backend;
    const candidate: RouteCandidate = strip(t);
    if (privacyAction === 'redact' && t.tier === 'cloud') candidate.redact = true;
    return {
      candidate,
      order,
      state,
      maxConcurrency: b.maxConcurrency,
      price: b.tier === 'cloud' ? info.price : undefined,
      costPerHour: b.costPerHour,
      weight: t.weight,
    };
  }

  private estimate(s: Scored, f: RequestFeatures): RouteCandidate {
    const predicted = predictMs(s, f);
    if (predicted !== undefined) s.candidate.predictedMs = Math.round(predicted);
    const cost = estimateCost(s, f);
    s.candidate.estimatedCostUsd = cost === 0 ? 0 : Number(cost.toPrecision(4));
    return s.candidate;
  }

  /** A target's backend, context window and price; targets are the catalog's own objects, so this is one map read. */
  private info(t: CatalogTarget): TargetInfo {
    let info = this.targetInfo.get(t);
    if (info === undefined) {
      const model = this.models.get(`${t.backend}\u0000${t.model}`);
      const backend = this.backends.get(t.backend)!;
      info = {
        backend,
        contextWindow: model?.contextWindow,
        price: model?.price,
        capabilities: model?.capabilities ?? capabilitiesOf(backend.protocol, backend.capabilities),
      };
      this.targetInfo.set(t, info);
    }
    return info;
  }

  private keep(targets: CatalogTarget[], pass: (t: CatalogTarget) => boolean, reason: string, code: DropCode, dropped: DroppedCandidate[]): CatalogTarget[] {
    return targets.filter((t) => {
      if (pass(t)) return true;
      dropped.push({ ...strip(t), reason, code });
      return false;
    });
  }
}

function strip(t: CatalogTarget): { backend: string; model: string; tier: CatalogTarget['tier'] } {
  return { backend: t.backend, model: t.model, tier: t.tier };
}
