import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

// The /v1/messages contract for the OpenAPI document, in Anthropic's words. The checks themselves
// are messages.validator.ts; fields not described here still reach Anthropic-protocol backends.

const ANY_OBJECT = { type: 'object' as const, additionalProperties: true };
const BLOCK = { ...ANY_OBJECT, description: 'A content block: `text`, `image`, `document`, `tool_use`, `tool_result`, `thinking`.' };

export class AnthropicMessageParamDto {
  @ApiProperty({ enum: ['user', 'assistant'], example: 'user' }) role!: 'user' | 'assistant';
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: BLOCK }], example: 'Say hello in French.' }) content!: unknown;
}

class AnthropicToolDto {
  @ApiProperty({ example: 'get_weather' }) name!: string;
  @ApiPropertyOptional({ example: 'Weather for a city' }) description?: string;
  @ApiProperty({ ...ANY_OBJECT, example: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }) input_schema!: Record<
    string,
    unknown
  >;
}

class AnthropicMetadataDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'user-42' }) user_id?: string | null;
}

/** The fields count_tokens takes: a Messages request without `max_tokens` and sampling. */
export class AnthropicCountTokensRequestDto {
  @ApiProperty({ description: 'A public model name (`chat`, an alias such as `claude-sonnet-4-5`) or a backend model id.', example: 'chat' })
  model!: string;
  @ApiProperty({ type: [AnthropicMessageParamDto] }) messages!: AnthropicMessageParamDto[];
  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: BLOCK }], description: 'The system prompt: text, or text blocks.' })
  system?: unknown;
  @ApiPropertyOptional({ type: [AnthropicToolDto] }) tools?: AnthropicToolDto[];
  @ApiPropertyOptional({ ...ANY_OBJECT, description: '`{"type":"auto"|"any"|"none"}` or `{"type":"tool","name":…}`.' }) tool_choice?: Record<string, unknown>;
  @ApiPropertyOptional({ ...ANY_OBJECT, description: 'Extended thinking; passed on to Anthropic backends only.' }) thinking?: Record<string, unknown>;
}

export class AnthropicMessagesRequestDto extends AnthropicCountTokensRequestDto {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1024, description: "Required, as Anthropic's API requires it." }) max_tokens!: number;
  @ApiPropertyOptional({ description: 'Stream the answer as server-sent events (default false).' }) stream?: boolean;
  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: 1, example: 0.7 }) temperature?: number;
  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: 1 }) top_p?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'Passed on to Anthropic backends only.' }) top_k?: number;
  @ApiPropertyOptional({ type: [String] }) stop_sequences?: string[];
  @ApiPropertyOptional({ type: AnthropicMetadataDto }) metadata?: AnthropicMetadataDto;
}

class AnthropicUsageDto {
  @ApiProperty({ example: 12 }) input_tokens!: number;
  @ApiProperty({ example: 5 }) output_tokens!: number;
  @ApiPropertyOptional({ type: 'integer', nullable: true }) cache_creation_input_tokens?: number | null;
  @ApiPropertyOptional({ type: 'integer', nullable: true }) cache_read_input_tokens?: number | null;
}

class AnthropicResponseBlockDto {
  @ApiProperty({ enum: ['text', 'tool_use'], example: 'text' }) type!: string;
  @ApiPropertyOptional({ example: 'Bonjour !' }) text?: string;
  @ApiPropertyOptional({ example: 'toolu_01A09q90qw90lq917835lq9' }) id?: string;
  @ApiPropertyOptional({ example: 'get_weather' }) name?: string;
  @ApiPropertyOptional({ ...ANY_OBJECT, example: { city: 'Paris' } }) input?: Record<string, unknown>;
}

export class AnthropicMessageDto {
  @ApiProperty({ example: 'msg_013Zva2CMHLNnXjNJJKqJ2EF' }) id!: string;
  @ApiProperty({ enum: ['message'] }) type!: string;
  @ApiProperty({ enum: ['assistant'] }) role!: string;
  @ApiProperty({ example: 'llama3.2' }) model!: string;
  @ApiProperty({ type: [AnthropicResponseBlockDto] }) content!: AnthropicResponseBlockDto[];
  @ApiProperty({ type: String, nullable: true, enum: ['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'refusal'] }) stop_reason!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) stop_sequence!: string | null;
  @ApiProperty({ type: AnthropicUsageDto }) usage!: AnthropicUsageDto;
}

export class AnthropicTokenCountDto {
  @ApiProperty({ example: 14, description: "An estimate: counted with an OpenAI tokenizer (o200k_base), not the model's own." }) input_tokens!: number;
}

class AnthropicErrorDetailDto {
  @ApiProperty({ example: 'invalid_request_error' }) type!: string;
  @ApiProperty({ example: 'max_tokens: Field required' }) message!: string;
}

export class AnthropicErrorResponseDto {
  @ApiProperty({ enum: ['error'] }) type!: string;
  @ApiProperty({ type: AnthropicErrorDetailDto }) error!: AnthropicErrorDetailDto;
}

/** Examples of each error status, in Anthropic's shape. */
const ERRORS: Record<number, { description: string; type: string; message: string }> = {
  400: { description: 'Invalid request; the message names the field.', type: 'invalid_request_error', message: 'max_tokens: Field required' },
  401: { description: 'Missing or wrong API key.', type: 'authentication_error', message: 'Incorrect API key provided.' },
  403: {
    description: 'Refused by policy (a rule, or personal data that must stay local).',
    type: 'permission_error',
    message: 'The prompt contains personal data (email) and policy keeps it on local backends, but no local backend serves model chat.',
  },
  404: { description: 'Unknown model.', type: 'not_found_error', message: 'The model `claude-9` does not exist or you do not have access to it.' },
  429: {
    description: 'Rate limited; `Retry-After` says when to retry.',
    type: 'rate_limit_error',
    message: 'Backend anthropic answered 429: Rate limit reached.',
  },
  502: { description: 'Every backend in the chain failed.', type: 'api_error', message: 'Backend anthropic answered 500: upstream error' },
  503: { description: 'No backend could be reached.', type: 'overloaded_error', message: 'Backend local-ollama is unreachable (ECONNREFUSED).' },
  504: { description: 'No backend answered within the deadline.', type: 'timeout_error', message: 'Backend local-ollama timed out (UND_ERR_HEADERS_TIMEOUT).' },
};

export function AnthropicErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(AnthropicErrorResponseDto),
    ...statuses.map((status) => {
      const { description, type, message } = ERRORS[status];
      return ApiResponse({
        status,
        description,
        content: { 'application/json': { schema: { $ref: getSchemaPath(AnthropicErrorResponseDto) }, example: { type: 'error', error: { type, message } } } },
      });
    }),
  );
}

export const AnthropicModels = ApiExtraModels(AnthropicMessageDto);

/** The two shapes of a Messages answer. */
export const messageContent = {
  'application/json': {
    schema: { $ref: getSchemaPath(AnthropicMessageDto) },
    example: {
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      type: 'message',
      role: 'assistant',
      model: 'llama3.2',
      content: [{ type: 'text', text: 'Bonjour !' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 4 },
    },
  },
  'text/event-stream': {
    schema: {
      type: 'string' as const,
      description:
        'With `"stream": true`: named events `message_start`, `ping`, `content_block_start`, `content_block_delta` (`text_delta`, `input_json_delta`), `content_block_stop`, `message_delta` (stop reason, usage), `message_stop`; a failure after the start is an `error` event.',
    },
    example:
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"llama3.2","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}\n\n' +
      'event: ping\ndata: {"type":"ping"}\n\n' +
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Bonjour"}}\n\n' +
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":12,"output_tokens":4}}\n\n' +
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  },
};

/** What Swagger UI pre-fills for "Try it out". */
export const messagesExamples = {
  hello: { summary: 'A short message', value: { model: 'chat', max_tokens: 256, messages: [{ role: 'user', content: 'Say hello in French.' }] } },
  stream: { summary: 'Streamed', value: { model: 'chat', max_tokens: 256, stream: true, messages: [{ role: 'user', content: 'Count to five.' }] } },
  tools: {
    summary: 'With a tool',
    value: {
      model: 'chat',
      max_tokens: 256,
      tools: [{ name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    },
  },
};

export const countTokensExamples = {
  hello: { summary: 'A short conversation', value: { model: 'chat', system: 'Be brief.', messages: [{ role: 'user', content: 'Say hello in French.' }] } },
};
