import { ApiProperty, ApiPropertyOptional, ApiExtraModels, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { isContent, isStringOrStringArray, isToolCalls, Satisfies, TOOL_CALLS } from './validators';

// The /v1/chat/completions contract. Validation covers what Switchyard must understand;
// every other field the client sends reaches OpenAI-protocol backends untouched.

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];

// A bare `type: object` makes generated clients accept only `{}`; these objects have fields.
const ANY_OBJECT = { type: 'object' as const, additionalProperties: true };

export class ChatMessageDto {
  @ApiProperty({ enum: ROLES, example: 'user' })
  @IsIn(ROLES)
  role!: string;

  @ApiPropertyOptional({
    description: 'Text, or an array of content parts (`text`, `image_url`, ...). Null for assistant messages that only call tools.',
    // OpenAPI 3.0 allows `nullable` only beside a `type`, so null rides on the string branch.
    oneOf: [
      { type: 'string', nullable: true },
      { type: 'array', items: ANY_OBJECT },
    ],
    example: 'Say hello in French.',
  })
  @IsOptional()
  @Satisfies('isContent', isContent, 'must be a string, null, or an array of content parts with a `type`')
  content?: unknown;

  @ApiPropertyOptional() @IsOptional() @IsString() name?: string;
  @ApiPropertyOptional({ description: 'On `tool` messages: the id of the call this answers.' }) @IsOptional() @IsString() tool_call_id?: string;
  @ApiPropertyOptional({ type: 'array', items: ANY_OBJECT, description: 'On assistant messages: the tool calls it made.' })
  @IsOptional()
  @Satisfies('isToolCalls', isToolCalls, TOOL_CALLS)
  tool_calls?: unknown[];
}

export class StreamOptionsDto {
  @ApiPropertyOptional({ description: 'Send a last chunk with `usage` and empty `choices`.' })
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;
}

export class ChatCompletionRequestDto {
  @ApiProperty({ description: 'A public model name from /v1/models or a backend model id.', example: 'chat' })
  @IsString()
  @IsNotEmpty()
  model!: string;

  @ApiProperty({ type: [ChatMessageDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  messages!: ChatMessageDto[];

  // Defaults are told, not declared: openapi-typescript makes a field with a `default` required.
  @ApiPropertyOptional({ type: Boolean, nullable: true, description: 'Stream the answer as server-sent events (default false).' })
  @IsOptional()
  @IsBoolean()
  stream?: boolean | null;

  @ApiPropertyOptional({ type: StreamOptionsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, maximum: 2, example: 0.7 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, maximum: 1 }) @IsOptional() @IsNumber() @Min(0) @Max(1) top_p?: number | null;
  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, deprecated: true }) @IsOptional() @IsInt() @Min(1) max_tokens?: number | null;
  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1 }) @IsOptional() @IsInt() @Min(1) max_completion_tokens?: number | null;
  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: 128, description: 'How many choices (default 1).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(128)
  n?: number | null;
  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] })
  @IsOptional()
  @Satisfies('isStringOrStringArray', isStringOrStringArray, 'must be a string or an array of strings')
  stop?: string | string[] | null;
  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt() seed?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: -2, maximum: 2 }) @IsOptional() @IsNumber() @Min(-2) @Max(2) presence_penalty?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: -2, maximum: 2 }) @IsOptional() @IsNumber() @Min(-2) @Max(2) frequency_penalty?: number | null;
  @ApiPropertyOptional({ type: 'array', items: ANY_OBJECT, description: 'Function tools the model may call.' })
  @IsOptional()
  @IsArray()
  tools?: unknown[];
  @ApiPropertyOptional({ oneOf: [{ type: 'string', enum: ['none', 'auto', 'required'] }, ANY_OBJECT] }) @IsOptional() tool_choice?: unknown;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() parallel_tool_calls?: boolean;
  @ApiPropertyOptional({ type: 'object', description: '`{"type":"json_object"}` or `{"type":"json_schema","json_schema":{...}}`', additionalProperties: true })
  @IsOptional()
  @IsObject()
  response_format?: Record<string, unknown>;
  @ApiPropertyOptional({ type: Boolean, nullable: true }) @IsOptional() @IsBoolean() logprobs?: boolean | null;
  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 0, maximum: 20 }) @IsOptional() @IsInt() @Min(0) @Max(20) top_logprobs?: number | null;
  @ApiPropertyOptional() @IsOptional() @IsString() user?: string;
}

class FunctionCallDto {
  @ApiProperty({ example: 'get_weather' }) name!: string;
  @ApiProperty({ description: 'The arguments, as a JSON text.', example: '{"city":"Paris"}' }) arguments!: string;
}

class ToolCallDto {
  @ApiProperty({ example: 'call_abc123' }) id!: string;
  @ApiProperty({ enum: ['function'] }) type!: 'function';
  @ApiProperty({ type: FunctionCallDto }) function!: FunctionCallDto;
}

class AssistantMessageDto {
  @ApiProperty({ enum: ['assistant'] }) role!: 'assistant';
  @ApiProperty({ nullable: true, type: String, example: 'Bonjour !' }) content!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) refusal?: string | null;
  @ApiPropertyOptional({ type: [ToolCallDto] }) tool_calls?: ToolCallDto[];
}

class ChoiceDto {
  @ApiProperty({ example: 0 }) index!: number;
  @ApiProperty({ type: AssistantMessageDto }) message!: AssistantMessageDto;
  @ApiProperty({ enum: ['stop', 'length', 'tool_calls', 'content_filter'], nullable: true }) finish_reason!: string | null;
  @ApiProperty({ ...ANY_OBJECT, nullable: true, example: null }) logprobs!: unknown;
}

export class UsageDto {
  @ApiProperty({ example: 12 }) prompt_tokens!: number;
  @ApiProperty({ example: 5 }) completion_tokens!: number;
  @ApiProperty({ example: 17 }) total_tokens!: number;
}

export class ChatCompletionDto {
  @ApiProperty({ example: 'chatcmpl-123' }) id!: string;
  @ApiProperty({ enum: ['chat.completion'] }) object!: string;
  @ApiProperty({ example: 1732233600 }) created!: number;
  @ApiProperty({ example: 'llama3.2' }) model!: string;
  @ApiProperty({ type: [ChoiceDto] }) choices!: ChoiceDto[];
  @ApiPropertyOptional({ type: UsageDto }) usage?: UsageDto;
}

class ChunkChoiceDto {
  @ApiProperty() index!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { content: 'Bon' } }) delta!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, enum: ['stop', 'length', 'tool_calls', 'content_filter'] }) finish_reason!: string | null;
}

export class ChatCompletionChunkDto {
  @ApiProperty({ example: 'chatcmpl-123' }) id!: string;
  @ApiProperty({ enum: ['chat.completion.chunk'] }) object!: string;
  @ApiProperty() created!: number;
  @ApiProperty() model!: string;
  @ApiProperty({ type: [ChunkChoiceDto] }) choices!: ChunkChoiceDto[];
  @ApiPropertyOptional({ type: UsageDto, nullable: true }) usage?: UsageDto | null;
}

/** Describes the two shapes of a chat completion answer for the OpenAPI document. */
export const chatCompletionContent = {
  'application/json': { schema: { $ref: getSchemaPath(ChatCompletionDto) } },
  'text/event-stream': {
    schema: {
      type: 'string' as const,
      description: 'With `"stream": true`: one `data: <ChatCompletionChunkDto JSON>` event per chunk, then `data: [DONE]`.',
    },
    example:
      'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1732233600,"model":"llama3.2","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n' +
      'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1732233600,"model":"llama3.2","choices":[{"index":0,"delta":{"content":"Bonjour"},"finish_reason":null}]}\n\n' +
      'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1732233600,"model":"llama3.2","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n' +
      'data: [DONE]\n\n',
  },
};

export const ChatModels = ApiExtraModels(ChatCompletionDto, ChatCompletionChunkDto);

/**
 * What Swagger UI pre-fills for "Try it out": without it, the UI would build a sample from every
 * optional field (a user message with `tool_calls`, `max_tokens: 1`, ...).
 */
export const chatCompletionExamples = {
  hello: { summary: 'A short chat', value: { model: 'chat', messages: [{ role: 'user', content: 'Say hello in French.' }] } },
  stream: { summary: 'Streamed', value: { model: 'chat', stream: true, messages: [{ role: 'user', content: 'Count to five.' }] } },
};
