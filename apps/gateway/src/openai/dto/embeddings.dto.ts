import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';
import { UsageDto } from './chat-completion.dto';
import { isEmbeddingInput, Satisfies } from './validators';

export class EmbeddingsRequestDto {
  @ApiProperty({ example: 'embed' }) @IsString() @IsNotEmpty() model!: string;

  @ApiProperty({
    description: 'Text, an array of texts, or token arrays.',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { type: 'array', items: { type: 'integer' } }],
    example: 'The quick brown fox',
  })
  @Satisfies('isEmbeddingInput', isEmbeddingInput, 'must be a non-empty string, array of strings, or array of token arrays')
  input!: unknown;

  @ApiPropertyOptional({ enum: ['float', 'base64'], description: 'Default `float`.' })
  @IsOptional()
  @IsIn(['float', 'base64'])
  encoding_format?: 'float' | 'base64';
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) @IsOptional() @IsInt() @Min(1) dimensions?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() user?: string;
}

class EmbeddingDto {
  @ApiProperty({ enum: ['embedding'] }) object!: string;
  @ApiProperty() index!: number;
  @ApiProperty({ type: [Number], example: [0.0023, -0.0093, 0.0159] }) embedding!: number[];
}

export class EmbeddingsResponseDto {
  @ApiProperty({ enum: ['list'] }) object!: string;
  @ApiProperty({ type: [EmbeddingDto] }) data!: EmbeddingDto[];
  @ApiProperty({ example: 'nomic-embed-text' }) model!: string;
  @ApiProperty({ type: UsageDto }) usage!: UsageDto;
}

/** What Swagger UI pre-fills for "Try it out" (see chatCompletionExamples). */
export const embeddingsExamples = {
  text: { summary: 'One text', value: { model: 'embed', input: 'The quick brown fox' } },
  texts: { summary: 'Several texts', value: { model: 'embed', input: ['first text', 'second text'] } },
};
