import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_JSON } from '../../dialect/problem-details.responder';

class FieldErrorDto {
  @ApiProperty({ example: 'limits.rpm' }) field!: string;
  @ApiProperty({ example: 'must not be less than 1' }) message!: string;
}

/** An RFC 9457 problem, as every /admin/v1 error is answered. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:switchyard:problem:validation_failed' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ type: 'integer', example: 400 }) status!: number;
  @ApiProperty({ example: "Invalid value for 'limits.rpm': must not be less than 1." }) detail!: string;
  @ApiPropertyOptional({ example: '/admin/v1/tenants' }) instance?: string;
  @ApiProperty({ example: 'validation_failed' }) code!: string;
  @ApiPropertyOptional({ example: '9b1c2f3a-5d6e-4f70-8a9b-0c1d2e3f4a5b' }) requestId?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'The fields a 400 found wrong.' }) errors?: FieldErrorDto[];
}

const PROBLEMS: Record<number, { description: string; code: string; detail: string; errors?: FieldErrorDto[] }> = {
  400: {
    description: 'Invalid body or query; `errors` names each bad field.',
    code: 'validation_failed',
    detail: "Invalid value for 'limits.rpm': must not be less than 1.",
    errors: [{ field: 'limits.rpm', message: 'must not be less than 1' }],
  },
  401: { description: 'Missing or wrong API key.', code: 'invalid_api_key', detail: 'Incorrect API key provided.' },
  403: { description: 'Not the admin key (tenant keys have no access here).', code: 'admin_only', detail: 'The admin API takes the admin key only.' },
  404: { description: 'No such tenant or key.', code: 'tenant_not_found', detail: 'No tenant with id tnt_3q2XbV9mK1pLr8sT.' },
  409: { description: 'The name is taken.', code: 'tenant_name_taken', detail: 'A tenant named "acme" already exists.' },
  429: {
    description: 'Too many requests from this address; see `Retry-After`.',
    code: 'rate_limit_exceeded',
    detail: 'Too many admin requests from your address.',
  },
  503: { description: 'The gateway runs without a database.', code: 'database_unavailable', detail: 'The admin API needs a database.' },
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** Documents problem-details error responses, each with an example. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) => {
      const { description, code, detail, errors } = PROBLEMS[status];
      const example: ProblemDto = { type: `urn:switchyard:problem:${code}`, title: TITLES[status], status, detail, code };
      if (errors) example.errors = errors;
      return ApiResponse({ status, description, content: { [PROBLEM_JSON]: { schema: { $ref: getSchemaPath(ProblemDto) }, example } } });
    }),
  );
}
