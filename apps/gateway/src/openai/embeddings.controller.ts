import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EmbeddingsRequest } from '@switchyard/contracts';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ChainExecutor } from '../routing/chain-executor.service';
import { requestContext } from '../routing/request-context';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { routeHeaders } from './chat.service';
import { EmbeddingsRequestDto, EmbeddingsResponseDto } from './dto/embeddings.dto';
import { ErrorResponseDto } from './dto/model.dto';

@ApiTags('OpenAI-compatible')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class EmbeddingsController {
  private readonly deadlineMs: number;

  constructor(
    private readonly chain: ChainExecutor,
    @Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime,
  ) {
    this.deadlineMs = runtime.config.routing.totalDeadlineMs;
  }

  @Post('embeddings')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create embeddings', description: 'OpenAI-compatible; routed like chat completions.' })
  @ApiResponse({ status: 200, type: EmbeddingsResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  async create(@Body() body: EmbeddingsRequestDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const request = body as unknown as EmbeddingsRequest;
    const ctx = requestContext(req, reply, this.deadlineMs);
    const placed = await this.chain.run(request.model, ctx, (adapter, model) =>
      adapter.embeddings(request, model, { signal: ctx.signal, requestId: ctx.requestId }),
    );
    reply.headers(routeHeaders(placed.candidate, placed.decision, ctx)).send(placed.result);
  }
}
