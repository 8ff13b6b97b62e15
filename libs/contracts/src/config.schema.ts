import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';

// The one config schema. Validated once at boot by `parseConfig`; everything else reads typed values.

export const PROTOCOLS = ['openai', 'ollama', 'anthropic'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export const TIERS = ['local', 'cloud'] as const;
export type Tier = (typeof TIERS)[number];

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

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

export class BackendModelConfig {
  @IsString() @IsNotEmpty() id!: string;
  @IsOptional() @IsInt() @Min(1) contextWindow?: number;
  @IsOptional() @ValidateNested() @Type(() => PriceConfig) price?: PriceConfig;
}

export class BackendConfig {
  @IsString() @Matches(NAME, { message: 'must be letters, digits and . _ : / -' }) name!: string;
  @IsIn(PROTOCOLS as unknown as string[]) protocol!: Protocol;
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'must be an http(s) URL' }) baseUrl!: string;
  @IsOptional() @IsString() apiKey?: string;
  @IsIn(TIERS as unknown as string[]) tier!: Tier;
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => BackendModelConfig) models!: BackendModelConfig[];
  @ValidateNested() @Type(() => TimeoutsConfig) timeouts: TimeoutsConfig = new TimeoutsConfig();
  /** Concurrent requests the backend takes; also the size of its connection pool. */
  @IsInt() @Min(1) @Max(10_000) maxConcurrency = 64;
  /** Default context window of its models (tokens); a model entry may override it. */
  @IsOptional() @IsInt() @Min(1) contextWindow?: number;
  /** Default price of its models; a model entry may override it. Cloud backends bill by it. */
  @IsOptional() @ValidateNested() @Type(() => PriceConfig) price?: PriceConfig;
  /** Extra headers sent on every upstream call (e.g. an org id). */
  @IsOptional() @IsObject() headers?: Record<string, string>;
}

export class TargetConfig {
  @IsString() @IsNotEmpty() backend!: string;
  @IsString() @IsNotEmpty() model!: string;
}

export class PublicModelConfig {
  @IsString() @Matches(NAME, { message: 'must be letters, digits and . _ : / -' }) name!: string;
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => TargetConfig) targets!: TargetConfig[];
}

export class ServerConfig {
  /** Largest request body accepted (bytes); larger bodies get 413. */
  @IsInt() @Min(1024) bodyLimitBytes = 10 * 1024 * 1024;
}

export class RoutingConfig {
  /** Deadline for a whole fallback chain, all attempts together. */
  @IsInt() @Min(1) totalDeadlineMs = 300_000;
}

export class SwitchyardConfig {
  @ValidateNested() @Type(() => ServerConfig) server: ServerConfig = new ServerConfig();
  @IsArray() @ArrayMinSize(1) @ValidateNested({ each: true }) @Type(() => BackendConfig) backends!: BackendConfig[];
  @IsArray() @ValidateNested({ each: true }) @Type(() => PublicModelConfig) models: PublicModelConfig[] = [];
  @ValidateNested() @Type(() => RoutingConfig) routing: RoutingConfig = new RoutingConfig();
}
