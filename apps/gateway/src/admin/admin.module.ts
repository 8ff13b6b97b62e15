import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AdminService } from './admin.service';
import { AuditController } from './audit.controller';
import { KeysController } from './keys.controller';
import { TenantsController } from './tenants.controller';

/** The admin API, `/admin/v1`: tenants, their API keys and the audit log, for the admin key only. */
@Module({
  imports: [AuthModule],
  controllers: [TenantsController, KeysController, AuditController],
  providers: [AdminService],
})
export class AdminModule {}
