import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { UsageController } from './usage.controller';
import { UsageService } from './usage.service';

/**
 * The usage ledger read back: `GET /v1/usage` for a tenant's own key here; the admin views
 * (`/admin/v1/usage`, `/admin/v1/requests`) are AdminModule's controllers over the same service.
 */
@Module({
  imports: [AuthModule],
  controllers: [UsageController],
  providers: [UsageService],
  exports: [UsageService],
})
export class UsageModule {}
