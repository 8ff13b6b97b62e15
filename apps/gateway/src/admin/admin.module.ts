import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { BackendsModule } from '../backends/backends.module';
import { AdminService } from './admin.service';
import { AuditController } from './audit.controller';
import { CredentialsController } from './credentials.controller';
import { LimitsController } from './limits.controller';
import { LimitsModule } from '../limits/limits.module';
import { KeysController } from './keys.controller';
import { TenantsController } from './tenants.controller';
import { AdminRequestsController, AdminUsageController } from '../usage/admin-usage.controller';
import { UsageModule } from '../usage/usage.module';
import { AdminCacheController } from '../cache/admin-cache.controller';

/** The admin API, `/admin/v1`: tenants, their API keys, provider credentials, the audit log, usage and request records, for the admin key only. */
@Module({
  imports: [AuthModule, BackendsModule, LimitsModule, UsageModule],
  controllers: [
    TenantsController,
    KeysController,
    CredentialsController,
    LimitsController,
    AuditController,
    AdminUsageController,
    AdminRequestsController,
    AdminCacheController,
  ],
  providers: [AdminService],
})
export class AdminModule {}
