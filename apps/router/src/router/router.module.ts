import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { StateModule } from '../state/state.module';
import { RouterController } from './router.controller';

@Module({
  imports: [StateModule, HealthModule],
  controllers: [RouterController],
})
export class RouterModule {}
