import { Body, Controller, Headers, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { countTokens } from 'gpt-tokenizer';
import { fromAnthropicRequest } from '@switchyard/adapters';
import { ModelNotFoundError, type AnthropicMessagesRequest } from '@switchyard/contracts';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { anthropic } from '../dialect/dialects';
import { CACHE_HEADER } from '../cache/cache-plan';
import { CacheService } from '../cache/cache.service';
import { ChatService } from '../inference/chat.service';
import { LimitsService } from '../limits/limits.service';
import { chatPromptTokens } from '../limits/prompt-tokens';
import { screenRequest } from '../routing/features';
import { assertMayUseModel } from '../routing/model-access';
import { PlacementService } from '../routing/placement.service';
import { requestContext } from '../routing/request-context';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { promptTexts, messagesPromptView } from './anthropic.prompt';
import {
  AnthropicCountTokensRequestDto,
  AnthropicErrors,
  AnthropicMessagesRequestDto,
  AnthropicModels,
  AnthropicTokenCountDto,
  countTokensExamples,
  messageContent,
  messagesExamples,
} from './dto/messages.dto';
import { AnthropicValidationPipe } from './messages.validator';

const VERSION_HEADER = { name: 'anthropic-version', required: false, description: 'Accepted (e.g. `2023-06-01`); Switchyard answers in that version.' };
const BETA_HEADER = { name: 'anthropic-beta', required: false, description: 'Passed on to Anthropic-protocol backends.' };

/**
 * Anthropic's Messages API, a second door into the same pipeline: the body is mapped to the
 * canonical request by the adapters' Anthropic pair, routed, screened and accounted like
 * /v1/chat/completions, and the answer mapped back by the Anthropic responder.
 */
@ApiTags('Anthropic-compatible')
@ApiSecurity('x-api-key')
@ApiSecurity('bearer')
@AnthropicModels
@Controller('v1/messages')
@UseGuards(ApiKeyGuard)
export class MessagesController {
  constructor(
    private readonly chat: ChatService,
    private readonly placement: PlacementService,
    private readonly limits: LimitsService,
    private readonly cache: CacheService,
    @Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a message',
    description:
      "Anthropic-compatible (`@anthropic-ai/sdk`, `ANTHROPIC_BASE_URL`). Routed along the model's fallback chain to any backend protocol, with the same policy, privacy and accounting as `/v1/chat/completions`; `stream: true` answers with Anthropic's server-sent events.",
  })
  @ApiHeader(VERSION_HEADER)
  @ApiHeader(BETA_HEADER)
  @ApiHeader(CACHE_HEADER)
  @ApiBody({ type: AnthropicMessagesRequestDto, examples: messagesExamples })
  @ApiResponse({ status: 200, description: 'The message, or a stream of events.', content: messageContent })
  @AnthropicErrors(400, 401, 403, 404, 429, 502, 503, 504)
  async create(
    @Body(new AnthropicValidationPipe()) body: AnthropicMessagesRequest,
    @Headers('anthropic-beta') beta: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const request = fromAnthropicRequest(body);
    const prompt = messagesPromptView(body);
    const ctx = requestContext(req, reply, this.runtime.config.routing.totalDeadlineMs);
    // The canonical request is what is scanned, so redaction and the egress check read what leaves.
    // Limits count the canonical request: the same tokens whichever door a request came in by.
    const { scan, features } = await screenRequest(this.placement, req, request, prompt, () =>
      this.limits.admit(req, reply, prompt, () => chatPromptTokens(request)),
    );
    const call = beta ? { anthropicBeta: beta } : undefined;
    const answering = { stopSequences: body.stop_sequences };
    const cache = this.cache.begin(req, 'anthropic', body as unknown as Record<string, unknown>, request);
    if (body.stream !== true) anthropic.message(reply, await this.chat.complete(request, features, scan, ctx, call, cache), answering);
    else await anthropic.stream(reply, await this.chat.stream(request, features, scan, ctx, call, cache), { ...answering, model: body.model });
  }

  @Post('count_tokens')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Count the tokens of a message',
    description:
      "An estimate: the system prompt, texts, tool calls, tool results and tool definitions counted with an OpenAI tokenizer (o200k_base), not the model's own; no backend is called.",
  })
  @ApiHeader(VERSION_HEADER)
  @ApiBody({ type: AnthropicCountTokensRequestDto, examples: countTokensExamples })
  @ApiResponse({ status: 200, type: AnthropicTokenCountDto })
  @AnthropicErrors(400, 401, 404)
  countTokens(@Body(new AnthropicValidationPipe(true)) body: AnthropicMessagesRequest, @Req() req: FastifyRequest): AnthropicTokenCountDto {
    // A model the key may not use is as unknown here as on every other endpoint.
    assertMayUseModel(req.principal, body.model);
    if (this.placement.engine.catalog.resolve(body.model) === undefined) throw new ModelNotFoundError(body.model);
    let tokens = 0;
    for (const text of promptTexts(body)) tokens += countTokens(text);
    return { input_tokens: tokens };
  }
}
