import { Controller, Get, Param, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiOperation, ApiParam, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ModelNotFoundError, type ModelList, type ModelObject } from '@switchyard/contracts';
import { ApiKeyGuard } from '../auth/api-key.guard';
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
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(private readonly placement: PlacementService) {}

  /** Rebuilt only when a config reload replaced the catalog. */
  private current(): ModelList {
    const catalog = this.placement.engine.catalog;
    if (this.list && this.listedFrom === catalog) return this.list;
    this.list = { object: 'list', data: catalog.entries.map((e) => ({ id: e.id, object: 'model', created: this.created, owned_by: e.ownedBy })) };
    this.byId = new Map(this.list.data.map((m) => [m.id, m]));
    this.listedFrom = catalog;
    return this.list;
  }

  @Get()
  @ApiOperation({ summary: 'List models', description: 'Public model names and the backend model ids this key may use.' })
  @ApiResponse({ status: 200, type: ModelListDto })
  @ApiErrors(401)
  listModels(): ModelList {
    return this.current();
  }

  @Get(':model')
  @ApiOperation({ summary: 'Retrieve a model' })
  @ApiParam({ name: 'model', example: 'chat', description: 'A model id; ids with slashes (`org/name`) work unescaped too.' })
  @ApiResponse({ status: 200, type: ModelDto })
  @ApiErrors(401, 404)
  retrieve(@Param('model') id: string): ModelObject {
    this.current();
    const model = this.byId.get(id);
    if (!model) throw new ModelNotFoundError(id);
    return model;
  }

  // Model ids may contain slashes (`meta-llama/Llama-3.1-8B`).
  @Get('*')
  @ApiExcludeEndpoint()
  retrieveNested(@Req() req: FastifyRequest): ModelObject {
    return this.retrieve(decodeURIComponent((req.params as Record<string, string>)['*'] ?? ''));
  }
}
