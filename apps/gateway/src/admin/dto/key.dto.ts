import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, IsString, Length, Max, Min, ValidateBy } from 'class-validator';
import { BudgetsDto, LimitsDto, NestedOptional } from './tenant.dto';

/** Longest grace a rotated-out secret may keep working: 30 days. */
const MAX_GRACE_SECONDS = 30 * 24 * 3600;

export class CreateKeyDto {
  @ApiProperty({ example: 'ci', description: 'Unique among the tenant’s live keys.' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2031-01-01T00:00:00Z', description: 'The key stops working then.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @ValidateBy({ name: 'isFuture', validator: { validate: (v: unknown) => Date.parse(String(v)) > Date.now(), defaultMessage: () => 'must be in the future' } })
  expiresAt?: string;

  @NestedOptional(LimitsDto, "The key's own limits, inside its tenant's.")
  limits?: LimitsDto;

  @NestedOptional(BudgetsDto, "The key's own budgets, inside its tenant's.")
  budgets?: BudgetsDto;
}

export class RotateKeyDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_GRACE_SECONDS,
    example: 3600,
    description: 'How long the old secret keeps working; 0: it stops at once.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_GRACE_SECONDS)
  gracePeriodSeconds?: number;
}

export class ApiKeyDto {
  @ApiProperty({ example: 'key_8yN2cQw4Lr0vXs1a' }) id!: string;
  @ApiProperty({ example: 'tnt_3q2XbV9mK1pLr8sT' }) tenantId!: string;
  @ApiProperty({ example: 'ci' }) name!: string;
  @ApiProperty({ example: 'sk-sy-AbCd', description: 'The first characters of the key, to tell keys apart; never enough to use it.' }) prefix!: string;
  @ApiPropertyOptional({ type: LimitsDto }) limits?: LimitsDto;
  @ApiPropertyOptional({ type: BudgetsDto }) budgets?: BudgetsDto;
  @ApiPropertyOptional({ format: 'date-time' }) expiresAt?: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) lastUsedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) revokedAt?: string;
}

export class IssuedKeyDto extends ApiKeyDto {
  @ApiProperty({ example: 'sk-sy-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg', description: 'The secret: shown this once, never again.' })
  key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) data!: ApiKeyDto[];
}
