import { Delete, HttpCode, Inject, Optional, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { RESPONSE_CACHE, SEMANTIC_INDEX, type ResponseCache, type SemanticIndex } from '@switchyard/store';
import { AdminController } from '../admin/admin.controller';
import { Actor } from '../admin/admin-request';
import { AdminService } from '../admin/admin.service';
import { ApiProblems } from '../admin/dto/problem.dto';
import { single } from '../usage/usage.params';
import { UsageUnavailableError } from '../usage/usage.errors';
import { UsageService } from '../usage/usage.service';

class CachePurgeDto {
  @ApiProperty({ type: String, nullable: true, example: 'tnt_3q2XbV9mK1pLr8sT', description: 'The tenant purged; null: every tenant.' })
  tenant!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'docs-bots', description: 'The shared namespace purged, when one was named.' })
  namespace!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'chat', description: 'The model purged; null: every model.' })
  model!: string | null;
  @ApiProperty({ type: 'integer', example: 42, description: 'Cached answers removed (with Redis: as counted while scanning).' })
  entries!: number;
  @ApiProperty({ type: 'integer', example: 40, description: 'Near-match vectors removed.' })
  vectors!: number;
}

@AdminController('cache')
export class AdminCacheController {
  constructor(
    @Inject(RESPONSE_CACHE) private readonly exact: ResponseCache,
    @Optional() @Inject(SEMANTIC_INDEX) private readonly near: SemanticIndex | null,
    private readonly usage: UsageService,
    private readonly admin: AdminService,
  ) {}

  @Delete()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Purge the response cache',
    description:
      "Removes cached answers (and their near-match vectors) of a tenant, of a shared namespace, of a model, or of a combination; with no parameter, every entry. Takes effect on every replica that shares the store (Redis, the database); an in-process cache is this replica's only.",
  })
  @ApiQuery({ name: 'tenant', required: false, description: 'A tenant id or name.', example: 'acme' })
  @ApiQuery({ name: 'namespace', required: false, description: 'A shared namespace (`cache.namespace` of its tenants).', example: 'docs-bots' })
  @ApiQuery({ name: 'model', required: false, description: 'A public model name, as clients ask for it.', example: 'chat' })
  @ApiResponse({ status: 200, type: CachePurgeDto })
  @ApiProblems(400, 401, 403, 404, 429)
  async purge(@Actor() actor: string, @Query() query: Record<string, unknown>): Promise<CachePurgeDto> {
    const tenantRef = single(query.tenant, 'tenant');
    const namespace = single(query.namespace, 'namespace');
    const model = single(query.model, 'model') || undefined;
    const tenant = tenantRef ? await this.tenantId(tenantRef) : undefined;
    const results = [];
    // A tenant and a namespace together purge both: what the tenant kept alone, and what it shares.
    if (tenant !== undefined) results.push(await this.purgeOne(tenant, model));
    if (namespace) results.push(await this.purgeOne(`ns:${namespace}`, model));
    if (tenant === undefined && !namespace) results.push(await this.purgeOne(undefined, model));
    const entries = results.reduce((n, r) => n + r.entries, 0);
    const vectors = results.reduce((n, r) => n + r.vectors, 0);
    await this.admin.cachePurged(actor, { tenantId: tenant ?? null, namespace: namespace || null, model: model ?? null, entries, vectors });
    return { tenant: tenant ?? null, namespace: namespace || null, model: model ?? null, entries, vectors };
  }

  private async purgeOne(tenantId: string | undefined, model: string | undefined): Promise<{ entries: number; vectors: number }> {
    const scope = { tenantId, model };
    const entries = await this.exact.purge(scope);
    const vectors = this.near === null ? 0 : await this.near.purge(scope);
    return { entries, vectors };
  }

  /** By id or name; without a database only the admin key's own tenant exists, by its id. */
  private async tenantId(ref: string): Promise<string> {
    try {
      return await this.usage.tenantId(ref);
    } catch (err) {
      if (err instanceof UsageUnavailableError) return ref;
      throw err;
    }
  }
}
