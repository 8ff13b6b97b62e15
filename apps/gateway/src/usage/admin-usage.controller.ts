import { Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { USAGE_GROUPS } from '@switchyard/store';
import { AdminController } from '../admin/admin.controller';
import { ApiPageLimit, pageLimit } from '../admin/admin-request';
import { ApiProblems } from '../admin/dto/problem.dto';
import { ApiUsage, RequestListDto, RequestRecordDto } from './dto/usage.dto';
import { usageCsv, type RequestListBody, type RequestRecordBody, type UsageBody } from './usage.mapper';
import { parseStatus, parseUsageParams, parseWindow, single } from './usage.params';
import { UsageService } from './usage.service';

const TENANT_QUERY = { name: 'tenant', required: false, description: 'A tenant id or name; unset: every tenant.', example: 'acme' };

@AdminController('usage')
export class AdminUsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiOperation({
    summary: 'Usage and cost, per tenant or overall',
    description: 'As `GET /v1/usage`, for any tenant or all of them, and groupable by `tenant`. From the hourly rollups.',
  })
  @ApiQuery(TENANT_QUERY)
  @ApiUsage(USAGE_GROUPS)
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async get(@Res({ passthrough: true }) reply: FastifyReply, @Query() query: Record<string, unknown>): Promise<UsageBody | string> {
    const params = parseUsageParams(query, USAGE_GROUPS);
    const ref = single(query.tenant, 'tenant');
    const body = await this.usage.usage(params, ref ? await this.usage.tenantId(ref) : undefined);
    if (params.format === 'json') return body;
    void reply.header('content-type', 'text/csv; charset=utf-8');
    return usageCsv(body);
  }
}

@AdminController('requests')
export class AdminRequestsController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiOperation({ summary: 'Search request records', description: 'Newest first, a page at a time; every filter optional.' })
  @ApiQuery(TENANT_QUERY)
  @ApiQuery({ name: 'status', required: false, schema: { type: 'integer', minimum: 100, maximum: 599 }, description: 'An exact final status.' })
  @ApiQuery({ name: 'since', required: false, description: 'ISO 8601 date or time, or an age (`7d`, `24h`, `30m`).' })
  @ApiQuery({ name: 'until', required: false, description: 'Exclusive; same forms as `since`.' })
  @ApiQuery({ name: 'cursor', required: false, description: 'The `next_cursor` of the previous page.' })
  @ApiPageLimit()
  @ApiResponse({ status: 200, type: RequestListDto })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  async list(@Query() query: Record<string, unknown>): Promise<RequestListBody> {
    const { since, until } = parseWindow(query, Date.now());
    const ref = single(query.tenant, 'tenant');
    const cursor = single(query.cursor, 'cursor');
    return this.usage.requests({
      tenantId: ref ? await this.usage.tenantId(ref) : undefined,
      status: parseStatus(query.status),
      since,
      until,
      cursor: cursor || undefined,
      limit: pageLimit(single(query.limit, 'limit')),
    });
  }

  @Get(':id')
  @ApiOperation({
    summary: "One request's record",
    description: 'Everything the ledger holds about it: every attempt, tokens, cost, timings, PII categories found.',
  })
  @ApiParam({ name: 'id', description: 'The request id (`x-request-id`).', example: '9b1c2f3a-5d6e-4f70-8a9b-0c1d2e3f4a5b' })
  @ApiResponse({ status: 200, type: RequestRecordDto })
  @ApiProblems(401, 403, 404, 429, 503)
  get(@Param('id') id: string): Promise<RequestRecordBody> {
    return this.usage.request(id);
  }
}
