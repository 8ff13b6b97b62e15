import type { SwitchyardConfig } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry';

/** What the router is started with. */
export interface RouterRuntime {
  /** The validated config to start on. */
  config: SwitchyardConfig;
  /** Where it came from; enables hot reload (SIGHUP, file changes, `reload()`). */
  configPath?: string;
  /** For `${VAR}` substitution on reload; default process.env. */
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** Watch the config file's directory for changes (default: true when configPath is set). */
  watchConfig?: boolean;
}

export const ROUTER_RUNTIME = Symbol('ROUTER_RUNTIME');
