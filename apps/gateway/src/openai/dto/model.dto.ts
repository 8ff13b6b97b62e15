import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, getSchemaPath } from '@nestjs/swagger';

export class ModelDto {
  @ApiProperty({ example: 'chat' }) id!: string;
  @ApiProperty({ enum: ['model'] }) object!: string;
  @ApiProperty({ example: 1732233600 }) created!: number;
  @ApiProperty({ example: 'switchyard' }) owned_by!: string;
}

export class ModelListDto {
  @ApiProperty({ enum: ['list'] }) object!: string;
  @ApiProperty({ type: [ModelDto] }) data!: ModelDto[];
}

class ErrorDetailDto {
  @ApiProperty({ example: 'The model `gpt-5` does not exist or you do not have access to it.' }) message!: string;
  @ApiProperty({ example: 'invalid_request_error' }) type!: string;
  @ApiProperty({ nullable: true, type: String, example: 'model' }) param!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'model_not_found' }) code!: string | null;
}

export class ErrorResponseDto {
  @ApiProperty({ type: ErrorDetailDto }) error!: ErrorDetailDto;
}

/** Examples of each error status, in OpenAI's shape, for the OpenAPI document. */
const ERROR_EXAMPLES: Record<number, { description: string; message: string; type: string; param: string | null; code: string | null }> = {
  400: {
    description: 'Invalid request; `error.param` names the field.',
    message: "Invalid value for 'temperature': must not be greater than 2.",
    type: 'invalid_request_error',
    param: 'temperature',
    code: null,
  },
  401: { description: 'Missing or wrong API key.', message: 'Incorrect API key provided.', type: 'authentication_error', param: null, code: 'invalid_api_key' },
  403: {
    description: 'Refused by policy (a rule, or personal data that must stay local).',
    message: 'The prompt contains personal data (email) and policy keeps it on local backends, but no local backend serves model chat.',
    type: 'permission_error',
    param: null,
    code: 'pii_local_only',
  },
  404: {
    description: 'Unknown model.',
    message: 'The model `gpt-5` does not exist or you do not have access to it.',
    type: 'invalid_request_error',
    param: 'model',
    code: 'model_not_found',
  },
  429: {
    description: 'The backend is rate limiting; `Retry-After` is passed on.',
    message: 'Backend openai answered 429: Rate limit reached.',
    type: 'rate_limit_error',
    param: null,
    code: 'rate_limit_exceeded',
  },
  502: {
    description: 'Every backend in the chain failed.',
    message: 'Backend openai answered 500: upstream error',
    type: 'server_error',
    param: null,
    code: 'upstream_error',
  },
  503: {
    description: 'No backend could be reached.',
    message: 'Backend local-ollama is unreachable (ECONNREFUSED).',
    type: 'server_error',
    param: null,
    code: 'service_unavailable',
  },
  504: {
    description: 'No backend answered within the deadline.',
    message: 'Backend local-ollama timed out (UND_ERR_HEADERS_TIMEOUT).',
    type: 'server_error',
    param: null,
    code: 'timeout',
  },
};

/** Documents error responses, each with its own example. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorResponseDto),
    ...statuses.map((status) => {
      const { description, ...error } = ERROR_EXAMPLES[status];
      return ApiResponse({ status, description, content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) }, example: { error } } } });
    }),
  );
}
