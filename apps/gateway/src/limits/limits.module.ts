import { Module } from '@nestjs/common';
import { BackendsModule } from '../backends/backends.module';
import { LimitsService } from './limits.service';

/** Request/token limits and USD budgets per tenant and key, checked before a request is routed. */
@Module({ imports: [BackendsModule], providers: [LimitsService], exports: [LimitsService] })
export class LimitsModule {}
