import { Module } from '@nestjs/common';
import { RouterStateService } from './router-state.service';

@Module({
  providers: [RouterStateService],
  exports: [RouterStateService],
})
export class StateModule {}
