import { readFileSync } from 'node:fs';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigWatcher, parseConfig } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry';
import { BackendsService } from '../backends/backends.service';
import { PlacementService } from '../routing/placement.service';
import { GATEWAY_RUNTIME, type GatewayRuntime } from './gateway-runtime';

export type ReloadResult = { ok: true } | { ok: false; error: string };

/**
 * Config hot reload, on a change of the file and on SIGHUP. A valid config takes effect for
 * new requests at once (requests in flight finish on what they started with); an invalid one
 * is logged, naming the field, and the running config stays.
 */
@Injectable()
export class ConfigReloader implements OnModuleInit, OnApplicationShutdown {
  private watcher?: ConfigWatcher;
  private lastText?: string;
  private readonly log: Logger;
  private readonly onSighup = (): void => void this.reload('signal');

  constructor(
    @Inject(GATEWAY_RUNTIME) private readonly runtime: GatewayRuntime,
    private readonly backends: BackendsService,
    private readonly placement: PlacementService,
  ) {
    this.log = runtime.logger.child({ component: 'config' });
  }

  onModuleInit(): void {
    const path = this.runtime.configPath;
    if (!path) return;
    try {
      this.lastText = readFileSync(path, 'utf8');
    } catch {
      // Read again on the first reload.
    }
    this.watcher = new ConfigWatcher(path, () => void this.reload('file'), this.log);
    this.watcher.start();
    process.on('SIGHUP', this.onSighup);
  }

  onApplicationShutdown(): void {
    this.watcher?.stop();
    process.off('SIGHUP', this.onSighup);
  }

  reload(trigger: 'file' | 'signal' | 'api' = 'api'): ReloadResult {
    const path = this.runtime.configPath;
    if (!path) return { ok: false, error: 'started without a config file' };
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const error = `${path}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
      this.log.error({ trigger }, `config reload failed, keeping the running config: ${error}`);
      return { ok: false, error };
    }
    // Editors and ConfigMap swaps fire several events for one change.
    if (trigger === 'file' && text === this.lastText) return { ok: true };
    try {
      const config = parseConfig(text, process.env, path);
      this.backends.apply(config);
      this.placement.apply(config);
      this.runtime.config = config;
      this.lastText = text;
      this.log.info({ trigger, backends: config.backends.length, models: config.models.length }, 'config reloaded');
      return { ok: true };
    } catch (err) {
      const error = (err as Error).message;
      this.lastText = text;
      this.log.error({ trigger }, `config reload failed, keeping the running config: ${error}`);
      return { ok: false, error };
    }
  }
}
