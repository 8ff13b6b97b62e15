import { Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { Tenant } from '@switchyard/contracts';
import type { ApiKeyRecord } from '@switchyard/store';
import { AdminBody } from './admin-body';
import { AdminController } from './admin.controller';
import { Actor, ApiPageLimit, pageLimit } from './admin-request';
import { AdminService, type Page } from './admin.service';
import { issued, type IssuedKeyBody } from './keys.controller';
import { ApiKeyListDto, CreateKeyDto, IssuedKeyDto } from './dto/key.dto';
import { ApiProblems } from './dto/problem.dto';
import { CreateTenantDto, TenantDto, TenantListDto, UpdateTenantDto } from './dto/tenant.dto';

const TENANT_ID = { name: 'id', description: 'The tenant id (`tnt_…`).', example: 'tnt_3q2XbV9mK1pLr8sT' };

@AdminController('tenants')
export class TenantsController {
  constructor(private readonly admin: AdminService) {}

  @Post()
  @ApiOperation({ summary: 'Create a tenant' })
  @ApiBody({ type: CreateTenantDto })
  @ApiResponse({ status: 201, type: TenantDto })
  @ApiProblems(400, 401, 403, 409, 429, 503)
  create(@Actor() actor: string, @AdminBody() body: CreateTenantDto): Promise<Tenant> {
    return this.admin.createTenant(actor, body);
  }

  @Get()
  @ApiOperation({ summary: 'List tenants', description: 'Oldest first, a page at a time.' })
  @ApiPageLimit()
  @ApiQuery({ name: 'after', required: false, description: 'The `next` of the previous page.' })
  @ApiResponse({ status: 200, type: TenantListDto })
  @ApiProblems(400, 401, 403, 429, 503)
  list(@Query('limit') limit?: string, @Query('after') after?: string): Promise<Page<Tenant>> {
    return this.admin.listTenants(pageLimit(limit), after);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a tenant' })
  @ApiParam(TENANT_ID)
  @ApiResponse({ status: 200, type: TenantDto })
  @ApiProblems(401, 403, 404, 429, 503)
  get(@Param('id') id: string): Promise<Tenant> {
    return this.admin.tenant(id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a tenant',
    description:
      'Fields given are replaced; `null` clears allowedModels, privacy, limits, budgets or cache. `status: suspended` stops all its keys within seconds.',
  })
  @ApiParam(TENANT_ID)
  @ApiBody({ type: UpdateTenantDto })
  @ApiResponse({ status: 200, type: TenantDto })
  @ApiProblems(400, 401, 403, 404, 409, 429, 503)
  update(@Actor() actor: string, @Param('id') id: string, @AdminBody() body: UpdateTenantDto): Promise<Tenant> {
    return this.admin.updateTenant(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a tenant', description: 'With its keys and provider credentials; its keys stop working within seconds.' })
  @ApiParam(TENANT_ID)
  @ApiResponse({ status: 204, description: 'Deleted.' })
  @ApiProblems(401, 403, 404, 429, 503)
  delete(@Actor() actor: string, @Param('id') id: string): Promise<void> {
    return this.admin.deleteTenant(actor, id);
  }

  @Post(':id/keys')
  @ApiOperation({ summary: 'Create an API key for a tenant', description: 'The answer holds the key (`sk-sy-…`): the only time it is shown.' })
  @ApiParam(TENANT_ID)
  @ApiBody({ type: CreateKeyDto })
  @ApiResponse({ status: 201, type: IssuedKeyDto })
  @ApiProblems(400, 401, 403, 404, 409, 429, 503)
  async createKey(@Actor() actor: string, @Param('id') id: string, @AdminBody() body: CreateKeyDto): Promise<IssuedKeyBody> {
    const { expiresAt, ...rest } = body;
    return issued(await this.admin.createKey(actor, id, { ...rest, expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt) }));
  }

  @Get(':id/keys')
  @ApiOperation({ summary: "List a tenant's API keys", description: 'Revoked ones included; never a key itself, only its prefix.' })
  @ApiParam(TENANT_ID)
  @ApiResponse({ status: 200, type: ApiKeyListDto })
  @ApiProblems(401, 403, 404, 429, 503)
  async keys(@Param('id') id: string): Promise<{ data: ApiKeyRecord[] }> {
    return { data: await this.admin.keysOf(id) };
  }
}
