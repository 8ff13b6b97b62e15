import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiSecurity, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthenticationError } from '@switchyard/contracts';
import { ApiKeyGuard } from '../auth/api-key.guard';
import '../auth/principal';
import { ApiErrors, ErrorResponseDto } from '../openai/dto/model.dto';
import { ApiUsage } from './dto/usage.dto';
import { UsageService } from './usage.service';
import { usageCsv, type UsageBody } from './usage.mapper';
import { parseUsageParams, TENANT_USAGE_GROUPS } from './usage.params';

const openaiError = (message: string, type: string, param: string | null, code: string | null) => ({
  'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) }, example: { error: { message, type, param, code } } },
});

@ApiTags('Usage')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@Controller('v1/usage')
@UseGuards(ApiKeyGuard)
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiOperation({
    summary: "Your tenant's usage and cost",
    description: "The caller's tenant only: requests, tokens, cost, savings against all-cloud and local share, over a window, grouped.",
  })
  @ApiUsage(TENANT_USAGE_GROUPS)
  @ApiErrors(401)
  @ApiResponse({
    status: 400,
    description: 'A bad parameter; `error.param` names it.',
    content: openaiError(
      "Invalid value for 'group_by': must be a comma-separated list of model, backend, tier, key, day, hour.",
      'invalid_request_error',
      'group_by',
      'validation_failed',
    ),
  })
  @ApiResponse({
    status: 503,
    description: 'The gateway runs without a database, so it keeps no ledger to read.',
    content: openaiError('Usage is read from the ledger in the database: this gateway runs without one.', 'server_error', null, 'database_unavailable'),
  })
  async get(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Query() query: Record<string, unknown>): Promise<UsageBody | string> {
    const params = parseUsageParams(query, TENANT_USAGE_GROUPS);
    // The guard attached the caller's principal: its tenant is the only one it sees.
    const tenantId = req.principal?.tenantId;
    if (tenantId === undefined) throw new AuthenticationError();
    const body = await this.usage.usage(params, tenantId);
    if (params.format === 'json') return body;
    void reply.header('content-type', 'text/csv; charset=utf-8');
    return usageCsv(body);
  }
}
