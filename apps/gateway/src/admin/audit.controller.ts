import { Get, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { AuditEntry } from '@switchyard/store';
import { AdminController } from './admin.controller';
import { ApiPageLimit, auditCursor, pageLimit } from './admin-request';
import { AdminService, type Page } from './admin.service';
import { AuditListDto } from './dto/audit.dto';
import { ApiProblems } from './dto/problem.dto';

@AdminController('audit')
export class AuditController {
  constructor(private readonly admin: AdminService) {}

  @Get()
  @ApiOperation({ summary: 'Read the audit log', description: 'Every admin action (who, what, when, which target; never a secret), newest first.' })
  @ApiPageLimit()
  @ApiQuery({ name: 'before', required: false, description: 'The `next` of the previous page.' })
  @ApiResponse({ status: 200, type: AuditListDto })
  @ApiProblems(400, 401, 403, 429, 503)
  list(@Query('limit') limit?: string, @Query('before') before?: string): Promise<Page<AuditEntry>> {
    return this.admin.auditTrail(pageLimit(limit), auditCursor(before));
  }
}
