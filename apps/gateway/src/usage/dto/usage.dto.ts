import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiQuery, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { UsageGroup } from '@switchyard/store';
import type { AttemptBody, RequestListBody, RequestRecordBody, UsageBody, UsageFiguresBody, UsageRowBody } from '../usage.mapper';

export class UsageFiguresDto implements UsageFiguresBody {
  @ApiProperty({ type: 'integer', example: 1200 }) requests!: number;
  @ApiProperty({ type: 'integer', example: 3, description: 'Requests whose final status was 400 or above (client aborts, 499, included).' })
  errors!: number;
  @ApiProperty({ type: 'integer', example: 480000 }) input_tokens!: number;
  @ApiProperty({ type: 'integer', example: 96000 }) output_tokens!: number;
  @ApiProperty({ example: 1.92, description: 'USD the requests cost where they ran.' }) cost_usd!: number;
  @ApiProperty({ example: 7.2, description: 'USD the same tokens would have cost all-cloud (the configured reference, else the cheapest cloud target).' })
  reference_cost_usd!: number;
  @ApiProperty({ example: 5.28, description: '`reference_cost_usd` minus `cost_usd`.' }) savings_usd!: number;
  @ApiProperty({ type: 'integer', example: 900, description: 'Requests a local-tier backend served.' }) local_requests!: number;
  @ApiProperty({ type: 'integer', example: 430000, description: 'Input plus output tokens of those.' }) local_tokens!: number;
  @ApiProperty({ example: 0.75, description: '`local_requests` over `requests`; 0 when there were none.' }) local_share!: number;
  @ApiProperty({ example: 0.7466, description: '`local_tokens` over all tokens; 0 when there were none.' }) local_token_share!: number;
  @ApiProperty({ type: 'integer', example: 240, description: 'Requests the response cache answered (exact or near match).' }) cache_hits!: number;
  @ApiProperty({ example: 0.38, description: 'USD those hits saved: what asking their backends again would have cost (part of `savings_usd`).' })
  cache_saved_usd!: number;
}

class UsageGroupDto implements Partial<Record<UsageGroup, string | null>> {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'chat', description: 'The model the client asked for; null when it named none.' })
  model?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'local-ollama' }) backend?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'local' }) tier?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'key_8yN2cQw4Lr0vXs1a' }) key?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'tnt_3q2XbV9mK1pLr8sT', description: 'Admin view only.' }) tenant?: string | null;
  @ApiPropertyOptional({ example: '2026-11-30', description: 'UTC day.' }) day?: string;
  @ApiPropertyOptional({ example: '2026-11-30T14:00:00Z', description: 'UTC hour.' }) hour?: string;
}

export class UsageRowDto extends UsageFiguresDto implements UsageRowBody {
  @ApiProperty({ type: UsageGroupDto, description: 'The values of the `group_by` dimensions for this row; `{}` when not grouped.' })
  group!: UsageGroupDto;
}

export class UsageReportDto implements UsageBody {
  @ApiProperty({ enum: ['usage'] }) object!: 'usage';
  @ApiProperty({ format: 'date-time', description: 'Start of the window read (rollups are hourly: rounded down to the hour).' }) since!: string;
  @ApiProperty({ format: 'date-time', description: 'End of the window, exclusive (rounded up to the hour).' }) until!: string;
  @ApiProperty({ type: [String], example: ['day', 'model'] }) group_by!: UsageGroup[];
  @ApiProperty({ type: String, nullable: true, example: 'tnt_3q2XbV9mK1pLr8sT', description: 'The tenant the figures are limited to; null: every tenant.' })
  tenant_id!: string | null;
  @ApiProperty({ type: [UsageRowDto], description: 'One row per group: time ascending, else the dearest first.' }) data!: UsageRowDto[];
  @ApiProperty({ type: UsageFiguresDto }) totals!: UsageFiguresDto;
}

class AttemptDto implements AttemptBody {
  @ApiProperty({ example: 'local-ollama' }) backend!: string;
  @ApiProperty({ example: 'llama3.2' }) model!: string;
  @ApiProperty({ example: 'ok', description: '`ok`, or the failure kind (connect, timeout, server_error, ...).' }) outcome!: string;
  @ApiProperty({ type: 'integer', example: 200 }) status!: number;
  @ApiProperty({ example: 412.5 }) ms!: number;
}

export class CaptureDto {
  @ApiProperty({
    description: 'The request body as the client sent it, PII replaced (`[EMAIL_1]`).',
    example: { model: 'chat', messages: [{ role: 'user', content: 'Mail [EMAIL_1]' }] },
  })
  request!: unknown;
  @ApiProperty({ nullable: true, description: "The answer in OpenAI's chat-completion shape, or `{ text }` for a stream; null when there was none." })
  response!: unknown;
}

export class RequestRecordDto implements RequestRecordBody {
  @ApiProperty({ example: '9b1c2f3a-5d6e-4f70-8a9b-0c1d2e3f4a5b', description: 'The `x-request-id` (the client’s own when it sent one).' }) request_id!: string;
  @ApiProperty({ format: 'date-time', description: 'When the request arrived.' }) created_at!: string;
  @ApiProperty({ type: String, nullable: true, example: 'tnt_3q2XbV9mK1pLr8sT', description: 'Null for a request that never authenticated.' }) tenant_id!:
    string | null;
  @ApiProperty({ type: String, nullable: true, example: 'key_8yN2cQw4Lr0vXs1a' }) key_id!: string | null;
  @ApiProperty({ example: 'POST' }) method!: string;
  @ApiProperty({ example: '/v1/chat/completions' }) endpoint!: string;
  @ApiProperty({ type: 'integer', example: 200, description: 'The final status the client got (499: it went away).' }) status!: number;
  @ApiProperty({ type: String, nullable: true, example: null }) error_code!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'chat', description: 'The model the client asked for.' }) model!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'default', description: 'The rule or chain that placed it.' }) route!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'local-ollama' }) backend!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'local' }) tier!: string | null;
  @ApiProperty({ type: [AttemptDto] }) attempts!: AttemptDto[];
  @ApiProperty({ type: 'integer', nullable: true, example: 412 }) input_tokens!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 96 }) output_tokens!: number | null;
  @ApiProperty({ description: 'True when Switchyard counted the tokens itself (the backend reported none).' }) tokens_counted!: boolean;
  @ApiProperty({ type: Number, nullable: true, example: 0 }) cost_usd!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.00012 }) reference_cost_usd!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 180.2 }) ttft_ms!: number | null;
  @ApiProperty({ example: 412.5 }) latency_ms!: number;
  @ApiProperty() streamed!: boolean;
  @ApiProperty({ type: [String], example: ['email'], description: 'PII categories found (never values).' }) pii_categories!: string[];
  @ApiProperty({ type: String, nullable: true, example: 'u-1', description: 'The client’s end-user id.' }) user!: string | null;
  @ApiProperty({ type: [String], example: ['nightly'] }) tags!: string[];
  @ApiProperty({ type: String, nullable: true, example: '0af7651916cd43dd8448eb211c80319c' }) trace_id!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['hit', 'semantic', 'miss', 'bypass'],
    example: 'miss',
    description: 'What the response cache did; null when it was off for the request.',
  })
  cache!: string | null;
  @ApiProperty({ type: Number, nullable: true, example: null, description: 'On a hit: USD it saved.' }) cache_saved_usd!: number | null;
  @ApiPropertyOptional({
    type: CaptureDto,
    nullable: true,
    description:
      "Only in one record's view: the request's and answer's bodies, personal data replaced by placeholders, when its tenant opted in (`privacy.capture`); null when none was kept.",
  })
  capture?: CaptureDto | null;
}

export class RequestListDto implements RequestListBody {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [RequestRecordDto], description: 'Newest first.' }) data!: RequestRecordDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next (older) page; null on the last one.' }) next_cursor!: string | null;
}

const CSV_EXAMPLE =
  'day,model,requests,errors,input_tokens,output_tokens,cost_usd,reference_cost_usd,savings_usd,local_requests,local_tokens,local_share,local_token_share,cache_hits,cache_saved_usd\r\n2026-11-30,chat,1200,3,480000,96000,1.92,7.2,5.28,900,430000,0.75,0.7466,240,0.38\r\n';

/** The query parameters of both usage endpoints, and their answer: JSON, or CSV with `format=csv`. */
export function ApiUsage(groups: readonly UsageGroup[]): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(UsageReportDto),
    ApiQuery({
      name: 'since',
      required: false,
      description: 'ISO 8601 date or time (UTC unless it names an offset), or an age: `7d`, `24h`, `30m`. Default: 30 days before `until`.',
      example: '7d',
    }),
    ApiQuery({ name: 'until', required: false, description: 'Exclusive; same forms as `since`. Default: now.' }),
    ApiQuery({
      name: 'group_by',
      required: false,
      description: `Comma-separated dimensions, grouped together: ${groups.map((g) => `\`${g}\``).join(', ')}. None: one row of totals.`,
      example: 'day,model',
    }),
    ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'], description: '`csv`: one row per group after a header row, no totals row.' }),
    ApiResponse({
      status: 200,
      description: 'Usage from the hourly rollups: requests, errors, tokens, cost, savings against all-cloud, local share.',
      content: {
        'application/json': { schema: { $ref: getSchemaPath(UsageReportDto) } },
        'text/csv': { schema: { type: 'string' }, example: CSV_EXAMPLE },
      },
    }),
  );
}
