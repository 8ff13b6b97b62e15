import { Module } from '@nestjs/common';
import { BackendsModule } from '../backends/backends.module';
import { OutcomeAccounting } from './accounting';
import { LedgerWriter } from './ledger-writer';

/** Every request's tokens, cost and savings reference, and its record in the usage ledger. */
@Module({ imports: [BackendsModule], providers: [OutcomeAccounting, LedgerWriter], exports: [OutcomeAccounting] })
export class LedgerModule {}
