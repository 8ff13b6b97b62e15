import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rawJson } from '@switchyard/adapters';
import type { EmbeddingsRequest } from '@switchyard/contracts';
import { GatewayMetrics } from '@switchyard/telemetry';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ChainExecutor } from '../routing/chain-executor.service';
import { PlacementService } from '../routing/placement.service';
import { embeddingsFeatures } from '../routing/features';
import { requestContext } from '../routing/request-context';
import { clientRequestId } from '../routing/privacy-screen';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { routedHeaders } from '../routing/routed-response';
import { EmbeddingsRequestDto, embeddingsExamples, EmbeddingsResponseDto } from './dto/embeddings.dto';
import { ApiErrors } from './dto/model.dto';

@ApiTags('OpenAI-compatible')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class EmbeddingsController {
  constructor(
    private readonly chain: ChainExecutor,
    private readonly placement: PlacementService,
    private readonly metrics: GatewayMetrics,
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
    const ctx = requestContext(req, reply, this.runtime.config.routing.totalDeadlineMs);
    // Inputs are scanned like prompts: local-only, redact and deny hold for embeddings too.
    const privacy = this.placement.privacy;
    const scan = await privacy.scan(request, clientRequestId(req));
    const features = embeddingsFeatures(req, request, scan?.categories ?? [], this.placement.engine.ruleHeaders, scan?.unscannable);
    if (ctx.outcome !== undefined) {
      ctx.outcome.model = request.model;
      ctx.outcome.pii = features.pii;
    }
    const placed = await this.chain.run(features, ctx, (adapter, candidate) => {
      const { request: sent, ctx: call } = privacy.outbound(request, scan, candidate, ctx, false);
      return adapter.embeddings(sent, candidate.model, call);
    });
    placed.settle({ success: true });
    if (ctx.outcome !== undefined) ctx.outcome.inputTokens = placed.result.usage?.prompt_tokens;
    reply.headers(routedHeaders(placed, ctx, this.metrics));
    // Embeddings are mostly numbers: sending the backend's bytes spares serialising them again.
    const raw = rawJson(placed.result);
    if (raw === undefined) reply.send(placed.result);
    else reply.type('application/json; charset=utf-8').send(raw);
  }
}
