import { Module } from '@nestjs/common';
import { BackendsModule } from '../backends/backends.module';
import { OutcomeAccounting } from './accounting';
import { RoutingModule } from '../routing/routing.module';
import { CaptureWriter } from './capture-writer';
import { LedgerWriter } from './ledger-writer';

/** Every request's tokens, cost and savings reference, and its record in the usage ledger. */
@Module({ imports: [BackendsModule, RoutingModule], providers: [OutcomeAccounting, LedgerWriter, CaptureWriter], exports: [OutcomeAccounting, CaptureWriter] })
export class LedgerModule {}
