import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigHotReload, type ReloadResult, type ReloadTrigger } from '@switchyard/runtime';
import { PlacementService } from '../routing/placement.service';
import { GATEWAY_RUNTIME, type GatewayRuntime } from './gateway-runtime';

/**
 * Config hot reload, on a change of the file and on SIGHUP. A valid config takes effect for
 * new requests at once (requests in flight finish on what they started with); an invalid one
 * is logged, naming the field, and the running config stays.
 */
@Injectable()
export class ConfigReloader implements OnModuleInit, OnApplicationShutdown {
  private readonly hotReload?: ConfigHotReload;

  constructor(@Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime, placement: PlacementService) {
    if (!runtime.configPath) return;
    this.hotReload = new ConfigHotReload(
      runtime.configPath,
      (config) => {
        placement.apply(config);
        runtime.config = config;
      },
      runtime.logger.child({ component: 'config' }),
    );
  }

  onModuleInit(): void {
    this.hotReload?.start();
  }

  onApplicationShutdown(): void {
    this.hotReload?.stop();
  }

  reload(trigger: ReloadTrigger = 'api'): ReloadResult {
    return this.hotReload ? this.hotReload.reload(trigger) : { ok: false, error: 'started without a config file' };
  }
}
