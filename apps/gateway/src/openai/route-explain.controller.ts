import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ModelNotFoundError, type ChatCompletionRequest } from '@switchyard/contracts';
import type { RouteDecision } from '@switchyard/policy';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { screenRequest } from '../routing/features';
import { PlacementService } from '../routing/placement.service';
import { ChatCompletionRequestDto, chatCompletionExamples } from './dto/chat-completion.dto';
import { chatPromptView } from './openai.prompt';
import { ApiErrors } from './dto/model.dto';

class ExplainCandidateDto {
  @ApiProperty({ example: 'local-ollama' }) backend!: string;
  @ApiProperty({ example: 'llama3.2' }) model!: string;
  @ApiProperty({ enum: ['local', 'cloud'] }) tier!: string;
  @ApiPropertyOptional({ description: 'The prompt would go redacted (privacy `redact`).' }) redact?: boolean;
  @ApiPropertyOptional({ example: 'local first (0/4 in flight)' }) reason?: string;
  @ApiPropertyOptional({ description: 'Excluded by its breaker or health probes: tried only if every candidate before it fails (panic routing).' })
  panic?: boolean;
  @ApiPropertyOptional() predictedMs?: number;
  @ApiPropertyOptional() estimatedCostUsd?: number;
}

class ExplainDroppedDto {
  @ApiProperty() backend!: string;
  @ApiProperty() model!: string;
  @ApiProperty() tier!: string;
  @ApiProperty({ example: 'privacy: prompt has email; onPii local-only' }) reason!: string;
}

class RouteExplanationDto {
  @ApiProperty({ example: 'chat' }) model!: string;
  @ApiProperty({ enum: ['embedded', 'remote'], description: 'Who decided: the in-process engine or the router service.' }) mode!: string;
  @ApiProperty({ example: 'confidential', description: 'The rule that placed it (`model:<name>` or `direct` when none matched).' }) route!: string;
  @ApiProperty({ example: 'local-first' }) strategy!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { promptTokens: 12, maxTokens: null, tags: ['confidential'], maxLatencyMs: null } })
  features!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { categories: ['email'], action: 'local-only' } }) privacy!: Record<string, unknown>;
  @ApiProperty({ type: [ExplainCandidateDto], description: 'The fallback chain, in order.' }) candidates!: ExplainCandidateDto[];
  @ApiProperty({ type: [ExplainDroppedDto] }) dropped!: ExplainDroppedDto[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { code: 'pii_local_only', message: '...' },
    description: 'Set when the request would be refused (403).',
  })
  deny?: Record<string, unknown>;
}

@ApiTags('Routing')
@ApiBearerAuth()
@ApiSecurity('x-api-key')
@Controller('v1/route')
@UseGuards(ApiKeyGuard)
export class RouteExplainController {
  constructor(private readonly placement: PlacementService) {}

  @Post('explain')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Explain where a chat completion would run',
    description:
      'Takes a chat-completions body and returns the routing decision and why — the rule that matched, and why each backend was kept or dropped — without calling any backend.',
  })
  @ApiBody({ type: ChatCompletionRequestDto, examples: chatCompletionExamples })
  @ApiResponse({ status: 200, type: RouteExplanationDto })
  @ApiErrors(400, 401, 404)
  async explain(@Body() body: ChatCompletionRequestDto, @Req() req: FastifyRequest): Promise<RouteExplanationDto> {
    const request = body as unknown as ChatCompletionRequest;
    const { features } = await screenRequest(this.placement, req, request, chatPromptView(request));
    const decision: RouteDecision | undefined = await this.placement.decide(features);
    if (!decision) throw new ModelNotFoundError(request.model);
    return {
      model: request.model,
      mode: this.placement.mode,
      route: decision.route,
      strategy: decision.strategy,
      features: {
        promptTokens: features.promptTokens,
        maxTokens: features.maxTokens ?? null,
        stream: features.stream,
        tags: features.tags,
        maxLatencyMs: features.maxLatencyMs ?? null,
      },
      privacy: {
        categories: decision.privacy.categories,
        action: decision.privacy.action,
        ...(decision.privacy.unscannable ? { unscannable: decision.privacy.unscannable } : {}),
      },
      candidates: decision.candidates,
      dropped: decision.dropped,
      ...(decision.deny ? { deny: decision.deny } : {}),
    };
  }
}
