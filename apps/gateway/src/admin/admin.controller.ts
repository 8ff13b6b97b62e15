import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AdminThrottlerGuard } from './admin-throttler.guard';
import { AdminGuard } from './admin.guard';

/** A controller under /admin/v1: throttled per address, then the admin key only, in Swagger's Admin section. */
export function AdminController(path: string): ClassDecorator {
  return applyDecorators(
    Controller(`admin/v1/${path}`),
    ApiTags('Admin'),
    ApiBearerAuth(),
    ApiSecurity('x-api-key'),
    UseGuards(AdminThrottlerGuard, AdminGuard),
  );
}
