import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { BackendsModule } from '../backends/backends.module';
import { AdminService } from './admin.service';
import { AuditController } from './audit.controller';
import { CredentialsController } from './credentials.controller';
import { KeysController } from './keys.controller';
import { TenantsController } from './tenants.controller';

/** The admin API, `/admin/v1`: tenants, their API keys, provider credentials and the audit log, for the admin key only. */
@Module({
  imports: [AuthModule, BackendsModule],
  controllers: [TenantsController, KeysController, CredentialsController, AuditController],
  providers: [AdminService],
})
export class AdminModule {}
