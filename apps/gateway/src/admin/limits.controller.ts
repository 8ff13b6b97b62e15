import { Get, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProperty, ApiResponse } from '@nestjs/swagger';
import { LimitsService, type LimitUsage } from '../limits/limits.service';
import { AdminController } from './admin.controller';
import { AdminService } from './admin.service';
import { ApiProblems } from './dto/problem.dto';

class CounterDto implements LimitUsage {
  @ApiProperty({ enum: ['tenant', 'key'] }) scope!: 'tenant' | 'key';
  @ApiProperty({ enum: ['rpm', 'tpm', 'dailyUsd', 'monthlyUsd'], description: 'Requests or tokens per minute, USD per UTC day or month.' })
  kind!: 'rpm' | 'tpm' | 'dailyUsd' | 'monthlyUsd';
  @ApiProperty({ example: 600 }) limit!: number;
  @ApiProperty({ example: 42, description: 'Counted in the current window (USD for budgets).' }) used!: number;
  @ApiProperty({ example: 558 }) remaining!: number;
  @ApiProperty({ example: 31_500, description: 'Milliseconds until the window (minute, UTC day or month) ends.' }) resetMs!: number;
}

class KeyCountersDto {
  @ApiProperty({ example: 'key_8yN2cQw4Lr0vXs1a' }) keyId!: string;
  @ApiProperty({ example: 'ci' }) name!: string;
  @ApiProperty({ type: [CounterDto] }) counters!: CounterDto[];
}

class TenantLimitsDto {
  @ApiProperty({ example: 'tnt_3q2XbV9mK1pLr8sT' }) tenantId!: string;
  @ApiProperty({ type: [CounterDto], description: "The tenant's own limits and budgets, as counted now." }) counters!: CounterDto[];
  @ApiProperty({ type: [KeyCountersDto], description: 'Live keys with limits or budgets of their own.' }) keys!: KeyCountersDto[];
}

@AdminController('tenants')
export class LimitsController {
  constructor(
    private readonly admin: AdminService,
    private readonly limits: LimitsService,
  ) {}

  @Get(':id/limits')
  @ApiOperation({
    summary: "A tenant's current counters and remaining budget",
    description: 'What its requests have counted in the current windows, read without adding anything; budgets in USD.',
  })
  @ApiParam({ name: 'id', description: 'The tenant id (`tnt_…`).', example: 'tnt_3q2XbV9mK1pLr8sT' })
  @ApiResponse({ status: 200, type: TenantLimitsDto })
  @ApiProblems(401, 403, 404, 429, 503)
  async show(@Param('id') id: string): Promise<TenantLimitsDto> {
    const tenant = await this.admin.tenant(id);
    const keys = (await this.admin.keysOf(id)).filter((k) => k.revokedAt === undefined && (k.limits !== undefined || k.budgets !== undefined));
    const own = (counters: LimitUsage[], scope: 'tenant' | 'key') => counters.filter((c) => c.scope === scope);
    return {
      tenantId: id,
      counters: own(await this.limits.usage(id, tenant), 'tenant'),
      keys: await Promise.all(
        keys.map(async (k) => ({
          keyId: k.id,
          name: k.name,
          counters: own(await this.limits.usage(id, {}, { id: k.id, limits: k.limits, budgets: k.budgets }), 'key'),
        })),
      ),
    };
  }
}
