import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';

// The one config schema. Validated once at boot by `parseConfig`; everything else reads typed values.

export const PROTOCOLS = ['openai', 'ollama', 'anthropic'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export const TIERS = ['local', 'cloud'] as const;
export type Tier = (typeof TIERS)[number];

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/;

/** What is wrong with the first bad entry of a header map, or undefined when it is fine. */
function headerMapProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'must be a map of header names to values';
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (!HEADER_NAME.test(name)) return `has an invalid header name ${JSON.stringify(name)}`;
    if (typeof v !== 'string') return `must give header ${name} a string value (got ${JSON.stringify(v)})`;
    if (HEADER_VALUE_FORBIDDEN.test(v)) return `must not put line breaks in header ${name}`;
  }
  return undefined;
}

/** Header names that are HTTP tokens with string values: anything else would fail every call after a reload. */
function IsHeaderMap(): PropertyDecorator {
  return ValidateBy({
    name: 'isHeaderMap',
    validator: {
      validate: (value) => headerMapProblem(value) === undefined,
      defaultMessage: (args) => `$property ${headerMapProblem(args?.value) ?? 'is invalid'}`,
    },
  });
}

/** USD per 1M tokens. */
export class PriceConfig {
  @IsNumber() @Min(0) input = 0;
  @IsNumber() @Min(0) output = 0;
}

export class TimeoutsConfig {
  /** TCP/TLS connect. */
  @IsInt() @Min(1) connectMs = 5_000;
  /** Request sent to response headers (for a stream: the first byte). */
  @IsInt() @Min(1) firstByteMs = 60_000;
  /** Longest silence between two body chunks. */
  @IsInt() @Min(1) idleMs = 30_000;
  /** Whole attempt, headers to last byte. */
  @IsInt() @Min(1) totalMs = 600_000;
}

/**
 * What a backend (or one of its models) can do, where it differs from its protocol's defaults:
 * false drops it from the candidates of requests that need it; true claims it.
 */
export class CapabilitiesConfig {
  /** More than one choice per request (`n` > 1). */
  @IsOptional() @IsBoolean() n?: boolean;
  @IsOptional() @IsBoolean() tools?: boolean;
  /** `response_format` json_object / json_schema. */
  @IsOptional() @IsBoolean() jsonMode?: boolean;
  /** Image parts in messages. */
  @IsOptional() @IsBoolean() images?: boolean;
  @IsOptional() @IsBoolean() logprobs?: boolean;
  /** Serves `/v1/embeddings`. */
  @IsOptional() @IsBoolean() embeddings?: boolean;
  /** Embeddings input given as token ids. */
  @IsOptional() @IsBoolean() tokenInput?: boolean;
}

export class BackendLimitsConfig {
  /** Largest non-streaming answer read from the backend (bytes); a larger one fails the attempt with 502. */
  @IsInt() @Min(1024) responseBytes = 64 * 1024 * 1024;
  /** Largest single stream event (an SSE event or an NDJSON line), in characters. */
  @IsInt() @Min(1024) streamEventBytes = 1024 * 1024;
}

export class BackendModelConfig {
  @IsString() @IsNotEmpty() id!: string;
  @IsOptional() @IsInt() @Min(1) contextWindow?: number;
  @IsOptional() @ValidateNested() @Type(() => PriceConfig) price?: PriceConfig;
  /** Overrides the backend's capabilities for this model. */
  @IsOptional() @ValidateNested() @Type(() => CapabilitiesConfig) capabilities?: CapabilitiesConfig;
}

export class BackendConfig {
  @IsString() @Matches(NAME, { message: 'must be letters, digits and . _ : / -' }) name!: string;
  @IsIn(PROTOCOLS) protocol!: Protocol;
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'must be an http(s) URL' }) baseUrl!: string;
  @IsOptional() @IsString() apiKey?: string;
  @IsIn(TIERS) tier!: Tier;
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => BackendModelConfig) models!: BackendModelConfig[];
  @ValidateNested() @Type(() => TimeoutsConfig) timeouts: TimeoutsConfig = new TimeoutsConfig();
  /** What the gateway buffers of one answer: memory stays bounded whatever a backend sends. */
  @ValidateNested() @Type(() => BackendLimitsConfig) limits: BackendLimitsConfig = new BackendLimitsConfig();
  /** Concurrent requests the backend takes; also the size of its connection pool. */
  @IsInt() @Min(1) @Max(10_000) maxConcurrency = 64;
  /** Default context window of its models (tokens); a model entry may override it. */
  @IsOptional() @IsInt() @Min(1) contextWindow?: number;
  /** Default price of its models; a model entry may override it. Cloud backends bill by it. */
  @IsOptional() @ValidateNested() @Type(() => PriceConfig) price?: PriceConfig;
  /** Local cost model for `cheapest`: what the box costs per hour, amortised over its measured tokens/s. */
  @IsOptional() @IsNumber() @Min(0) costPerHour?: number;
  /** Share of traffic under `weighted` when several backends serve the same model id. */
  @IsOptional() @IsNumber() @Min(0) weight?: number;
  /** Extra headers sent on every upstream call (e.g. an org id). */
  @IsOptional() @IsHeaderMap() headers?: Record<string, string>;
  /** Overrides its protocol's capabilities (a model entry may override these). */
  @IsOptional() @ValidateNested() @Type(() => CapabilitiesConfig) capabilities?: CapabilitiesConfig;
  /** Keep this cloud backend even when it has no key of its own (by default such a backend is left out). */
  @IsOptional() @IsBoolean() allowClientKey?: boolean;
}

export class TargetConfig {
  @IsString() @IsNotEmpty() backend!: string;
  @IsString() @IsNotEmpty() model!: string;
  /** Share of traffic under the `weighted` strategy (relative to the chain's other targets). */
  @IsOptional() @IsNumber() @Min(0) weight?: number;
}

export const CACHE_MODES = ['off', 'exact', 'semantic'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/** Near-identical prompts share an answer: the last user turn is embedded through one of Switchyard's own models. */
export class SemanticCacheConfig {
  /** A public model that serves embeddings (routed like any request, so a local one keeps prompts local). */
  @IsString() @IsNotEmpty() embeddingModel = 'embed';
  /** Cosine similarity a near match needs. */
  @IsNumber() @Min(0.5) @Max(1) threshold = 0.92;
}

/** What a public model or a tenant changes of the cache's settings; unset fields keep the config's. */
export class CacheOverrideConfig {
  @IsOptional() @IsIn(CACHE_MODES) mode?: CacheMode;
  @IsOptional() @IsInt() @Min(1) @Max(31_536_000) ttlSeconds?: number;
  @IsOptional() @ValidateNested() @Type(() => SemanticCacheConfig) semantic?: SemanticCacheConfig;
}

export class PublicModelConfig {
  @IsString() @Matches(NAME, { message: 'must be letters, digits and . _ : / -' }) name!: string;
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => TargetConfig) targets!: TargetConfig[];
  /** This model's answers cached otherwise than the config's `cache` says. */
  @IsOptional() @ValidateNested() @Type(() => CacheOverrideConfig) cache?: CacheOverrideConfig;
}

export class ServerConfig {
  /** Largest request body accepted (bytes); larger bodies get 413. */
  @IsInt() @Min(1024) bodyLimitBytes = 10 * 1024 * 1024;
  /** Deepest nesting of `{`/`[` a JSON body may have; deeper bodies get 400 before they are parsed. */
  @IsInt() @Min(2) @Max(1000) maxJsonDepth = 64;
  /** Longest a client may take to send one whole request, headers and body; slower ones get 408 and are closed. */
  @IsInt() @Min(100) requestTimeoutMs = 30_000;
  /** Connections one client address may hold before a request on them authenticates; more get 429. 0: no cap. */
  @IsInt() @Min(0) unauthenticatedConnectionsPerAddress = 64;
  /**
   * On SIGTERM: how long in-flight requests and streams may take to finish before the gateway
   * closes anyway (then the ledger is flushed). Kubernetes' `terminationGracePeriodSeconds` must
   * exceed it.
   */
  @IsInt() @Min(0) @Max(3_600_000) drainTimeoutMs = 25_000;
}

export class RoutingConfig {
  /** Deadline for a whole fallback chain, all attempts together. */
  @IsInt() @Min(1) totalDeadlineMs = 300_000;
}

export const STRATEGIES = ['local-first', 'cloud-first', 'cheapest', 'fastest', 'weighted'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const PII_ACTIONS = ['local-only', 'redact', 'deny', 'allow'] as const;
export type PiiAction = (typeof PII_ACTIONS)[number];
export const PII_DETECTORS = ['email', 'phone', 'credit_card', 'iban', 'us_ssn', 'ip_address', 'secret'] as const;
export type PiiDetector = (typeof PII_DETECTORS)[number];

export class PrivacyConfig {
  /** What a prompt with PII may do: stay on local backends, go to the cloud redacted, be refused, or go anywhere. */
  @IsIn(PII_ACTIONS) onPii: PiiAction = 'allow';
  @IsArray() @IsIn(PII_DETECTORS, { each: true }) detectors: PiiDetector[] = [...PII_DETECTORS];
  /** Images, audio, files and token ids cannot be read for PII: under a privacy policy they keep a request local, or may go anywhere. */
  @IsIn(['local-only', 'allow']) unscannable: 'local-only' | 'allow' = 'local-only';
  /** Regions whose national phone formats are recognised (ISO 3166 alpha-2); `+`/`00` international numbers always are. */
  @IsOptional() @IsArray() @Matches(/^[A-Za-z]{2}$/, { each: true }) phoneRegions?: string[];
}

export class RuleMatchConfig {
  /** Globs (`*`) on the tenant and the requested model name. */
  @IsOptional() @IsString() tenant?: string;
  @IsOptional() @IsString() model?: string;
  /** All of these tags (header `x-switchyard-tags` or body `metadata.tags`). */
  @IsOptional() @IsArray() @IsString({ each: true }) tags?: string[];
  /** true: the prompt has PII; false: it has none. */
  @IsOptional() @IsBoolean() pii?: boolean;
  /** Request headers that must be present with these values (names case-insensitive; values may be globs). */
  @IsOptional() @IsHeaderMap() header?: Record<string, string>;
}

export class RuleActionConfig {
  @IsOptional() @IsIn(['local', 'cloud', 'any']) tier?: Tier | 'any';
  @IsOptional() @IsArray() @IsString({ each: true }) backends?: string[];
  @IsOptional() @IsIn(STRATEGIES) strategy?: Strategy;
  /** Refuse matching requests with this reason (403). */
  @IsOptional() @IsString() @IsNotEmpty() deny?: string;
}

export class RuleConfig {
  @IsString() @Matches(NAME, { message: 'must be letters, digits and . _ : / -' }) name!: string;
  @ValidateNested() @Type(() => RuleMatchConfig) match: RuleMatchConfig = new RuleMatchConfig();
  @ValidateNested() @Type(() => RuleActionConfig) action!: RuleActionConfig;
}

export class BreakerConfig {
  /** Failure share in the window that opens the circuit. */
  @IsNumber() @Min(0.01) @Max(1) failureRate = 0.5;
  /** Attempts the window needs before the rate counts. */
  @IsInt() @Min(1) minRequests = 5;
  @IsInt() @Min(100) windowMs = 30_000;
  /** How long an open circuit stays open before half-open probes. */
  @IsInt() @Min(10) openMs = 10_000;
  /** Successful half-open probes that close the circuit. */
  @IsInt() @Min(1) halfOpenSuccesses = 2;
}

export class HealthProbeConfig {
  @IsInt() @Min(100) intervalMs = 5_000;
  @IsInt() @Min(10) timeoutMs = 2_000;
  /** Consecutive failures that mark a backend down, and successes that bring it back. */
  @IsInt() @Min(1) failuresToDown = 2;
  @IsInt() @Min(1) successesToUp = 2;
}

export class PolicyConfig {
  @IsIn(STRATEGIES) strategy: Strategy = 'local-first';
  @ValidateNested() @Type(() => PrivacyConfig) privacy: PrivacyConfig = new PrivacyConfig();
  @IsArray() @ValidateNested({ each: true }) @Type(() => RuleConfig) rules: RuleConfig[] = [];
  @ValidateNested() @Type(() => BreakerConfig) breaker: BreakerConfig = new BreakerConfig();
  @ValidateNested() @Type(() => HealthProbeConfig) health: HealthProbeConfig = new HealthProbeConfig();
  /** Longest a request waits for a saturated preferred backend before spilling to the next. */
  @IsInt() @Min(0) @Max(10_000) queueWaitMs = 0;
}

export const FAIL_MODES = ['open', 'closed'] as const;
export type FailMode = (typeof FAIL_MODES)[number];

/** What limits do when their counters cannot be reached (Redis down): admit uncounted (`open`) or refuse with 503 (`closed`). */
export class LimitsFailModeConfig {
  /** Requests and tokens per minute: open by default, so an outage of Redis is not an outage of the gateway. */
  @IsIn(FAIL_MODES) requests: FailMode = 'open';
  /** USD budgets: closed by default, so an outage never lets spend through unchecked. */
  @IsIn(FAIL_MODES) budgets: FailMode = 'closed';
}

export class LimitsConfig {
  /** Output tokens a request is admitted on when it sets no `max_tokens`/`max_completion_tokens`; the actual usage trues it up. */
  @IsInt() @Min(1) defaultMaxTokens = 256;
  @ValidateNested() @Type(() => LimitsFailModeConfig) failMode: LimitsFailModeConfig = new LimitsFailModeConfig();
  /**
   * Share of each limit and budget a replica may reserve ahead for a busy key, spent without a
   * Redis round trip and given back when the key goes idle (0 turns it off: one round trip per
   * request). Read at start.
   */
  @IsNumber() @Min(0) @Max(0.1) leaseShare = 0.01;
}

/** The cloud target savings are measured against: "what this traffic would have cost all-cloud". */
export class ReferenceModelConfig {
  @IsString() @IsNotEmpty() backend!: string;
  /** The backend's own model id. */
  @IsString() @IsNotEmpty() model!: string;
}

/** The usage ledger: one record per request, kept in the database. */
export class UsageConfig {
  /** Off: no ledger records are written (usage and request history stay empty); tokens and cost still reach metrics and limits. */
  @IsBoolean() enabled = true;
  /** Days raw ledger records are kept (whole daily partitions are dropped); hourly rollups are kept as long. */
  @IsInt() @Min(1) @Max(3650) retentionDays = 90;
  /** Days captured request/response bodies are kept (tenants opt in to capture). */
  @IsInt() @Min(1) @Max(3650) captureRetentionDays = 7;
  /** Longest a record waits in memory before it is written (records are written in batches). */
  @IsInt() @Min(10) @Max(60_000) flushMs = 1_000;
  /** Unset: each request's reference is the cheapest cloud target that could have served it. */
  @IsOptional() @ValidateNested() @Type(() => ReferenceModelConfig) reference?: ReferenceModelConfig;
}

export class MetricsConfig {
  /** Off: requests are not counted for `/metrics` (process, limits and backend gauges remain). */
  @IsBoolean() enabled = true;
  /** Adds a `tenant` label to the request, token and cost metrics: one series per tenant, so off by default. */
  @IsBoolean() tenantLabel = false;
}

/**
 * The response cache: answers kept per tenant (never shared across tenants unless an operator puts
 * them in one namespace), exact or near-identical prompts answered without a backend call. Off by
 * default; a public model or a tenant may turn it on or off for itself.
 */
export class CacheConfig {
  @IsIn(CACHE_MODES) mode: CacheMode = 'off';
  @IsInt() @Min(1) @Max(31_536_000) ttlSeconds = 3_600;
  /** Used when the mode is `semantic` (here, for a model or for a tenant). */
  @IsOptional() @ValidateNested() @Type(() => SemanticCacheConfig) semantic?: SemanticCacheConfig;
  /** Also cache sampled requests (temperature above 0 without a seed), whose answers are meant to vary. */
  @IsBoolean() sampled = false;
  /** Also cache answers cut short by their token cap (`finish_reason: length`). */
  @IsBoolean() truncated = false;
  /** Share of a hit's tokens and cost charged against the tenant's limits and budgets (0: a hit is free). */
  @IsNumber() @Min(0) @Max(1) hitCharge = 0;
  /** Memory the in-process cache may hold (without Redis), in bytes. */
  @IsInt() @Min(1024) maxBytes = 64 * 1024 * 1024;
  /** Largest answer kept, in bytes; larger ones are not cached. */
  @IsInt() @Min(1024) maxEntryBytes = 1024 * 1024;
}

export class SwitchyardConfig {
  @ValidateNested() @Type(() => ServerConfig) server: ServerConfig = new ServerConfig();
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => BackendConfig) backends!: BackendConfig[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => PublicModelConfig) models: PublicModelConfig[] = [];
  @ValidateNested() @Type(() => RoutingConfig) routing: RoutingConfig = new RoutingConfig();
  @ValidateNested() @Type(() => PolicyConfig) policy: PolicyConfig = new PolicyConfig();
  /** Tenants' request/token limits and budgets. */
  @ValidateNested() @Type(() => LimitsConfig) limits: LimitsConfig = new LimitsConfig();
  /** The usage ledger and the savings reference. */
  @ValidateNested() @Type(() => UsageConfig) usage: UsageConfig = new UsageConfig();
  @ValidateNested() @Type(() => MetricsConfig) metrics: MetricsConfig = new MetricsConfig();
  @ValidateNested() @Type(() => CacheConfig) cache: CacheConfig = new CacheConfig();
}
