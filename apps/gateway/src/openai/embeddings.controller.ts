import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rawJson } from '@switchyard/adapters';
import type { EmbeddingsRequest } from '@switchyard/contracts';
import { redactTexts, type RouteCandidate } from '@switchyard/policy';
import { GatewayMetrics } from '@switchyard/telemetry';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ChainExecutor } from '../routing/chain-executor.service';
import { PlacementService } from '../routing/placement.service';
import { embeddingsFeatures, embeddingTexts } from '../routing/features';
import { requestContext } from '../routing/request-context';
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
    const texts = embeddingTexts(request.input);
    const inputs = new InputFor(request, texts, this.placement);
    const placed = await this.chain.run(embeddingsFeatures(req, request, this.placement.piiInTexts(texts), this.placement.engine.ruleHeaders), ctx, (adapter, candidate) =>
      adapter.embeddings(inputs.get(candidate), candidate.model, ctx),
    );
    placed.settle({ success: true });
    reply.headers(routedHeaders(placed, ctx, this.metrics));
    // Embeddings are mostly numbers: sending the backend's bytes spares serialising them again.
    const raw = rawJson(placed.result);
    if (raw === undefined) reply.send(placed.result);
    else reply.type('application/json; charset=utf-8').send(raw);
  }
}

/**
 * The request each candidate gets: as sent, or, for a cloud candidate under a privacy policy, a
 * copy of what was scanned, its texts redacted when the decision says so (as PromptFor does for chat).
 */
class InputFor {
  private copy?: EmbeddingsRequest;
  private redacted?: EmbeddingsRequest | null;

  constructor(
    private readonly request: EmbeddingsRequest,
    private readonly texts: readonly string[],
    private readonly placement: PlacementService,
  ) {}

  get(candidate: RouteCandidate): EmbeddingsRequest {
    const scanner = this.placement.scannerFor(candidate);
    if (!scanner) return this.request;
    if (candidate.redact) {
      if (this.redacted === undefined) {
        const texts = redactTexts(this.texts, scanner);
        // Text input is a string or strings (validation never lets token ids mix in): replaced whole.
        this.redacted = texts === undefined ? null : { ...this.request, input: typeof this.request.input === 'string' ? texts[0] : texts };
      }
      if (this.redacted) return this.redacted;
    }
    return (this.copy ??= { ...this.request });
  }
}
