import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { BackendsModule } from '../backends/backends.module';
import { CredentialsController } from './credentials.controller';

/** `/admin/v1/tenants/{id}/credentials/{backend}`: tenants' own provider keys. */
@Module({ imports: [AuthModule, BackendsModule], controllers: [CredentialsController] })
export class CredentialsAdminModule {}
