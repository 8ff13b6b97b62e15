import { ConfigError, leaveOutKeylessCloudBackends, parseConfig, type SwitchyardConfig } from '@switchyard/contracts';
import { readConfigFile } from './config.file';
import { ConfigWatcher } from './config.watcher';

export type ReloadResult = { ok: true; changed: boolean } | { ok: false; error: string };
export type ReloadTrigger = 'api' | 'signal' | 'file';

/** The logger calls a reload makes (pino's shape). */
interface ReloadLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Config hot reload, shared by the gateway and the router: on a change of the file (watched)
 * and on SIGHUP, re-read and validate; valid -> `apply(config)`; invalid -> log the error,
 * which names the field, and keep the running config. A file event whose content did not
 * change does nothing, so editor save dances and unrelated writes in the directory stay quiet.
 */
export class ConfigHotReload {
  private lastText?: string;
  private readonly watcher?: ConfigWatcher;
  private readonly onSighup = (): void => void this.reload('signal');

  constructor(
    private readonly path: string,
    private readonly apply: (config: SwitchyardConfig) => void,
    private readonly logger: ReloadLogger,
    options: { env?: NodeJS.ProcessEnv; watch?: boolean } = {},
  ) {
    this.env = options.env ?? process.env;
    this.lastText = readText(path);
    if (options.watch !== false) this.watcher = new ConfigWatcher(path, () => void this.reload('file'), logger);
  }

  private readonly env: NodeJS.ProcessEnv;

  start(): void {
    this.watcher?.start();
    process.on('SIGHUP', this.onSighup);
  }

  stop(): void {
    process.off('SIGHUP', this.onSighup);
    this.watcher?.stop();
  }

  reload(trigger: ReloadTrigger = 'api'): ReloadResult {
    const path = this.path;
    let text: string;
    try {
      text = readConfigFile(path);
    } catch (err) {
      // Mid-rename, an editor's save can leave no file for a moment; the next event brings it back.
      const error = (err as Error).message;
      if (trigger !== 'file') this.logger.error({ path, trigger }, `config reload failed, keeping the running config: ${error}`);
      return { ok: false, error };
    }
    if (trigger === 'file' && text === this.lastText) return { ok: true, changed: false };
    this.lastText = text;
    let config: SwitchyardConfig;
    try {
      config = leaveOutKeylessCloudBackends(parseConfig(text, this.env, path), this.logger);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      this.logger.error({ path, trigger }, `config reload failed, keeping the running config: ${err.message}`);
      return { ok: false, error: err.message };
    }
    try {
      this.apply(config);
    } catch (err) {
      const error = `${path}: ${(err as Error).message}`;
      this.logger.error({ path, trigger }, `config reload failed, keeping the running config: ${error}`);
      return { ok: false, error };
    }
    this.logger.info({ path, trigger, backends: config.backends.length, models: config.models.length }, 'config reloaded');
    return { ok: true, changed: true };
  }
}

function readText(path: string): string | undefined {
  try {
    return readConfigFile(path);
  } catch {
    return undefined;
  }
}
