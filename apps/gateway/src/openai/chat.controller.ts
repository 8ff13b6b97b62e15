import { Body, Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CACHE_HEADER } from '../cache/cache-plan';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChatCompletionRequest } from '@switchyard/contracts';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { openai } from '../dialect/dialects';
import { CacheService } from '../cache/cache.service';
import { ChatService, type RelayRequest } from '../inference/chat.service';
import { LimitsService } from '../limits/limits.service';
import { chatPromptTokens } from '../limits/prompt-tokens';
import { screenRequest } from '../routing/features';
import { PlacementService } from '../routing/placement.service';
import { requestContext } from '../routing/request-context';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { ChatCompletionRequestDto, chatCompletionContent, chatCompletionExamples, ChatModels } from './dto/chat-completion.dto';
import { ApiErrors } from './dto/model.dto';
import { chatPromptView } from './openai.prompt';

const WITH_USAGE: RelayRequest = { includeUsage: true };
const WITHOUT_USAGE: RelayRequest = { includeUsage: false };

@ApiTags('OpenAI-compatible')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@ChatModels
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly placement: PlacementService,
    private readonly limits: LimitsService,
    private readonly cache: CacheService,
    @Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime,
  ) {}

  @Post('chat/completions')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a chat completion',
    description: "OpenAI-compatible. Routed along the model's fallback chain; `stream: true` answers with server-sent events.",
  })
  @ApiHeader(CACHE_HEADER)
  @ApiBody({ type: ChatCompletionRequestDto, examples: chatCompletionExamples })
  @ApiResponse({ status: 200, description: 'The completion, or a stream of chunks.', content: chatCompletionContent })
  @ApiErrors(400, 401, 403, 404, 429, 502, 503, 504)
  async create(@Body() body: ChatCompletionRequestDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const request = body as unknown as ChatCompletionRequest;
    const prompt = chatPromptView(request);
    const ctx = requestContext(req, reply, this.runtime.config.routing.totalDeadlineMs);
    const { scan, features } = await screenRequest(this.placement, req, request, prompt, () =>
      this.limits.admit(req, reply, prompt, () => chatPromptTokens(request)),
    );
    const cache = this.cache.begin(req, 'openai', body as unknown as Record<string, unknown>, request);
    if (request.stream !== true) openai.answer(reply, await this.chat.complete(request, features, scan, ctx, undefined, cache));
    else {
      const includeUsage = request.stream_options?.include_usage === true;
      // The OpenAI responder's sink takes a backend's own events, so a stream may be relayed as it came.
      const stream = await this.chat.stream(request, features, scan, ctx, undefined, cache, includeUsage ? WITH_USAGE : WITHOUT_USAGE);
      await openai.stream(reply, stream, { includeUsage });
    }
  }
}
