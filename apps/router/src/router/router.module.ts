import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { StateModule } from '../state/state.module';
import { RouterController } from './router.controller';
import { DecideTracing } from './router.tracing';

@Module({
  imports: [StateModule, HealthModule],
  controllers: [RouterController],
  providers: [DecideTracing],
})
export class RouterModule {}
