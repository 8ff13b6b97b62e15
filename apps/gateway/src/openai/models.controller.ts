import { Controller, Get, Param, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiOperation, ApiParam, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ModelNotFoundError, type ModelList, type ModelObject, type Principal } from '@switchyard/contracts';
import { ApiKeyGuard } from '../auth/api-key.guard';
import '../auth/principal';
import { mayUseModel } from '../routing/model-access';
import { PlacementService } from '../routing/placement.service';
import { ApiErrors, ModelDto, ModelListDto } from './dto/model.dto';

@ApiTags('OpenAI-compatible')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@Controller('v1/models')
@UseGuards(ApiKeyGuard)
export class ModelsController {
  private list?: ModelList;
  private byId = new Map<string, ModelObject>();
  private listedFrom?: unknown;
  /** Each allow-list's view of the list, by the grants' own array (cached with the key); dropped with the list. */
  private allowed = new WeakMap<readonly string[], ModelList>();
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(private readonly placement: PlacementService) {}

  /** Rebuilt only when a config reload replaced the catalog. */
  private current(): ModelList {
    const catalog = this.placement.engine.catalog;
    if (this.list && this.listedFrom === catalog) return this.list;
    this.list = { object: 'list', data: catalog.entries.map((e) => ({ id: e.id, object: 'model', created: this.created, owned_by: e.ownedBy })) };
    this.byId = new Map(this.list.data.map((m) => [m.id, m]));
    this.allowed = new WeakMap();
    this.listedFrom = catalog;
    return this.list;
  }

  /** What the caller's key may use: everything for a key without an allow-list. */
  private visible(principal: Principal | undefined): ModelList {
    const all = this.current();
    const globs = principal?.grants?.allowedModels;
    if (globs === undefined) return all;
    let list = this.allowed.get(globs);
    if (list === undefined) {
      list = { object: 'list', data: all.data.filter((m) => mayUseModel(principal, m.id)) };
      this.allowed.set(globs, list);
    }
    return list;
  }

  @Get()
  @ApiOperation({ summary: 'List models', description: 'Public model names and the backend model ids this key may use.' })
  @ApiResponse({ status: 200, type: ModelListDto })
  @ApiErrors(401)
  listModels(@Req() req: FastifyRequest): ModelList {
    return this.visible(req.principal);
  }

  @Get(':model')
  @ApiOperation({ summary: 'Retrieve a model' })
  @ApiParam({ name: 'model', example: 'chat', description: 'A model id; ids with slashes (`org/name`) work unescaped too.' })
  @ApiResponse({ status: 200, type: ModelDto })
  @ApiErrors(401, 404)
  retrieve(@Param('model') id: string, @Req() req: FastifyRequest): ModelObject {
    this.current();
    const model = this.byId.get(id);
    // One the key may not use is not found either: the answer does not tell it exists.
    if (!model || !mayUseModel(req.principal, id)) throw new ModelNotFoundError(id);
    return model;
  }

  // Model ids may contain slashes (`meta-llama/Llama-3.1-8B`).
  @Get('*')
  @ApiExcludeEndpoint()
  retrieveNested(@Req() req: FastifyRequest): ModelObject {
    return this.retrieve(decodeURIComponent((req.params as Record<string, string>)['*'] ?? ''), req);
  }
}
