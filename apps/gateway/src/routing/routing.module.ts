import { Module } from '@nestjs/common';
import { BackendsModule } from '../backends/backends.module';
import { ConfigReloader } from '../runtime/config-reloader.service';
import { ChainExecutor } from './chain-executor.service';
import { PlacementService } from './placement.service';
import { ProviderKeys } from './provider-keys';

/** Where requests go and how a chain is walked; config reloads re-apply both. */
@Module({
  imports: [BackendsModule],
  providers: [PlacementService, ChainExecutor, ProviderKeys, ConfigReloader],
  exports: [PlacementService, ChainExecutor],
})
export class RoutingModule {}
