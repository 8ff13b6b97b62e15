import { applyDecorators, type Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { CACHE_MODES, PII_ACTIONS, type CacheMode, type PiiAction, type TenantStatus } from '@switchyard/contracts';

const STATUSES: readonly TenantStatus[] = ['active', 'suspended'];
/** Tenant names: what a CLI argument or a log line can carry as is. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME_RULE = 'must be 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit';

/** Flat string-to-string metadata, bounded. */
function IsStringRecord(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringRecord',
      validator: {
        validate: (v: unknown) =>
          typeof v === 'object' &&
          v !== null &&
          !Array.isArray(v) &&
          Object.keys(v).length <= 50 &&
          Object.values(v).every((s) => typeof s === 'string' && s.length <= 500),
        defaultMessage: () => 'must be an object of at most 50 string values (500 characters each)',
      },
    },
    options,
  );
}

/** An optional nested object checked by its own DTO (`null` too, where a PATCH clears it). */
export function NestedOptional(type: ClassType, description?: string, nullable = false): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type, description, nullable: nullable || undefined }),
    IsOptional(),
    IsObject(),
    ValidateNested(),
    Type(() => type),
  );
}

/** Globs over model names a tenant may use. */
function ModelGlobs(nullable = false): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: [String], nullable: nullable || undefined, example: ['chat*'], description: 'Globs over model names; unset: every model.' }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(1000),
    IsString({ each: true }),
    Length(1, 200, { each: true }),
  );
}

export class LimitsDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, example: 600, description: 'Requests per minute.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  rpm?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, example: 200000, description: 'Tokens (prompt and completion) per minute.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000_000)
  tpm?: number;
}

export class BudgetsDto {
  @ApiPropertyOptional({ minimum: 0, example: 50, description: 'USD per UTC day.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1_000_000_000)
  dailyUsd?: number;

  @ApiPropertyOptional({ minimum: 0, example: 500, description: 'USD per UTC calendar month.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1_000_000_000)
  monthlyUsd?: number;
}

export class PrivacyDto {
  @ApiPropertyOptional({ enum: PII_ACTIONS, example: 'local-only', description: "Overrides the config's `policy.privacy.onPii` for this tenant." })
  @IsOptional()
  @IsIn(PII_ACTIONS)
  onPii?: PiiAction;

  @ApiPropertyOptional({
    example: false,
    description:
      "Keep each request's and answer's bodies with its ledger record, personal data replaced by placeholders (`GET /admin/v1/requests/{id}`). Off by default; kept for `usage.captureRetentionDays`.",
  })
  @IsOptional()
  @IsBoolean()
  capture?: boolean;
}

export class TenantCacheDto {
  @ApiPropertyOptional({ enum: CACHE_MODES, example: 'exact', description: "Overrides the config's and the model's `cache.mode` for this tenant." })
  @IsOptional()
  @IsIn(CACHE_MODES)
  mode?: CacheMode;

  @ApiPropertyOptional({ minimum: 1, maximum: 31_536_000, example: 3600, description: 'How long its answers are kept.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(31_536_000)
  ttlSeconds?: number;

  @ApiPropertyOptional({
    example: 'docs-bots',
    pattern: NAME.source,
    description: "Tenants naming the same namespace share cached answers, so each may be served what another asked. Unset: the tenant's answers are its own.",
  })
  @IsOptional()
  @IsString()
  @Matches(NAME, { message: `namespace ${NAME_RULE}` })
  namespace?: string;
}

export class CreateTenantDto {
  @ApiProperty({ example: 'acme', pattern: NAME.source, description: 'Unique.' })
  @IsString()
  @Matches(NAME, { message: `name ${NAME_RULE}` })
  name!: string;

  @ApiPropertyOptional({ enum: STATUSES, description: 'Default `active`.' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: TenantStatus;

  @ModelGlobs()
  allowedModels?: string[];

  @NestedOptional(PrivacyDto)
  privacy?: PrivacyDto;

  @NestedOptional(LimitsDto)
  limits?: LimitsDto;

  @NestedOptional(BudgetsDto)
  budgets?: BudgetsDto;

  @NestedOptional(TenantCacheDto)
  cache?: TenantCacheDto;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { team: 'search' } })
  @IsOptional()
  @IsStringRecord()
  metadata?: Record<string, string>;
}

/** A change to a tenant: fields given are replaced; `null` clears allowedModels, privacy, limits, budgets or cache. */
export class UpdateTenantDto {
  @ApiPropertyOptional({ example: 'acme-eu', pattern: NAME.source })
  @ValidateIf((o: UpdateTenantDto) => o.name !== undefined)
  @IsString()
  @Matches(NAME, { message: `name ${NAME_RULE}` })
  name?: string;

  @ApiPropertyOptional({ enum: STATUSES, description: '`suspended`: every key of the tenant stops working within seconds.' })
  @ValidateIf((o: UpdateTenantDto) => o.status !== undefined)
  @IsIn(STATUSES)
  status?: TenantStatus;

  @ModelGlobs(true)
  allowedModels?: string[] | null;

  @NestedOptional(PrivacyDto, undefined, true)
  privacy?: PrivacyDto | null;

  @NestedOptional(LimitsDto, undefined, true)
  limits?: LimitsDto | null;

  @NestedOptional(BudgetsDto, undefined, true)
  budgets?: BudgetsDto | null;

  @NestedOptional(TenantCacheDto, undefined, true)
  cache?: TenantCacheDto | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @ValidateIf((o: UpdateTenantDto) => o.metadata !== undefined)
  @IsStringRecord()
  metadata?: Record<string, string>;
}

export class TenantDto {
  @ApiProperty({ example: 'tnt_3q2XbV9mK1pLr8sT' }) id!: string;
  @ApiProperty({ example: 'acme' }) name!: string;
  @ApiProperty({ enum: STATUSES }) status!: TenantStatus;
  @ApiPropertyOptional({ type: [String], example: ['chat*'] }) allowedModels?: string[];
  @ApiPropertyOptional({ type: PrivacyDto }) privacy?: PrivacyDto;
  @ApiPropertyOptional({ type: LimitsDto }) limits?: LimitsDto;
  @ApiPropertyOptional({ type: BudgetsDto }) budgets?: BudgetsDto;
  @ApiPropertyOptional({ type: TenantCacheDto }) cache?: TenantCacheDto;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: {} }) metadata!: Record<string, string>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class TenantListDto {
  @ApiProperty({ type: [TenantDto] }) data!: TenantDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next page; null on the last one.' }) next!: string | null;
}
