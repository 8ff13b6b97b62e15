import { Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import type { ApiKeyRecord, IssuedKey } from '@switchyard/store';
import { AdminBody } from './admin-body';
import { AdminController } from './admin.controller';
import { Actor } from './admin-request';
import { AdminService } from './admin.service';
import { ApiKeyDto, IssuedKeyDto, RotateKeyDto } from './dto/key.dto';
import { ApiProblems } from './dto/problem.dto';

const KEY_ID = { name: 'id', description: 'The key id (`key_…`), never the key itself.', example: 'key_8yN2cQw4Lr0vXs1a' };

/** A key just issued, as answered: its record with the secret, this once. */
export type IssuedKeyBody = ApiKeyRecord & { key: string };

export function issued({ key, record }: IssuedKey): IssuedKeyBody {
  return { ...record, key };
}

@AdminController('keys')
export class KeysController {
  constructor(private readonly admin: AdminService) {}

  @Post(':id/rotate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate an API key',
    description: 'A new secret for the key, shown this once; the old one keeps working for `gracePeriodSeconds` (default 0: it stops now).',
  })
  @ApiParam(KEY_ID)
  @ApiBody({ type: RotateKeyDto, required: false })
  @ApiResponse({ status: 200, type: IssuedKeyDto })
  @ApiProblems(400, 401, 403, 404, 409, 429, 503)
  async rotate(@Actor() actor: string, @Param('id') id: string, @AdminBody() body: RotateKeyDto): Promise<IssuedKeyBody> {
    return issued(await this.admin.rotateKey(actor, id, body.gracePeriodSeconds ?? 0));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an API key', description: 'It stops working within seconds on every replica; its record stays, with `revokedAt`.' })
  @ApiParam(KEY_ID)
  @ApiResponse({ status: 200, type: ApiKeyDto })
  @ApiProblems(401, 403, 404, 409, 429, 503)
  revoke(@Actor() actor: string, @Param('id') id: string): Promise<ApiKeyRecord> {
    return this.admin.revokeKey(actor, id);
  }
}
