import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class AuditEntryDto {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ example: 'admin', description: 'The key id of who acted.' }) actor!: string;
  @ApiProperty({ example: 'key.revoke' }) action!: string;
  @ApiProperty({ example: 'key' }) targetType!: string;
  @ApiPropertyOptional({ example: 'key_8yN2cQw4Lr0vXs1a' }) targetId?: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { tenantId: 'tnt_3q2XbV9mK1pLr8sT' } }) detail!: Record<string, unknown>;
}

export class AuditListDto {
  @ApiProperty({ type: [AuditEntryDto] }) data!: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `before` for the next (older) page; null on the last one.' }) next!: string | null;
}
