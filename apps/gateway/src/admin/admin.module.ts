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

/** The admin API, `/admin/v1`: tenants, their API keys, provider credentials and the audit log, for the admin key only. */
@Module({
  imports: [AuthModule, BackendsModule, LimitsModule],
  controllers: [TenantsController, KeysController, CredentialsController, LimitsController, AuditController],
  providers: [AdminService],
})
export class AdminModule {}
