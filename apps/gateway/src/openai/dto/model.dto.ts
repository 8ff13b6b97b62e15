import { ApiProperty } from '@nestjs/swagger';

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
