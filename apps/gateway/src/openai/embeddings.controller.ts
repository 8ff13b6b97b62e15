import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EmbeddingsRequest } from '@switchyard/contracts';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { openai } from '../dialect/dialects';
import { EmbeddingsService } from '../inference/embeddings.service';
import { LimitsService } from '../limits/limits.service';
import { embeddingsPromptTokens } from '../limits/prompt-tokens';
import { screenRequest } from '../routing/features';
import { PlacementService } from '../routing/placement.service';
import { requestContext } from '../routing/request-context';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { EmbeddingsRequestDto, embeddingsExamples, EmbeddingsResponseDto } from './dto/embeddings.dto';
import { ApiErrors } from './dto/model.dto';
import { embeddingsPromptView } from './openai.prompt';

@ApiTags('OpenAI-compatible')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class EmbeddingsController {
  constructor(
    private readonly embeddings: EmbeddingsService,
    private readonly placement: PlacementService,
    private readonly limits: LimitsService,
    @Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime,
  ) {}

  @Post('embeddings')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create embeddings', description: 'OpenAI-compatible; routed like chat completions.' })
  @ApiBody({ type: EmbeddingsRequestDto, examples: embeddingsExamples })
  @ApiResponse({ status: 200, type: EmbeddingsResponseDto })
  @ApiErrors(400, 401, 404, 429, 502, 503, 504)
  async create(@Body() body: EmbeddingsRequestDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const request = body as unknown as EmbeddingsRequest;
    const prompt = embeddingsPromptView(request);
    const ctx = requestContext(req, reply, this.runtime.config.routing.totalDeadlineMs);
    const { scan, features } = await screenRequest(this.placement, req, request, prompt, () =>
      this.limits.admit(req, reply, prompt, () => embeddingsPromptTokens(request)),
    );
    openai.answer(reply, await this.embeddings.create(request, features, scan, ctx));
  }
}
