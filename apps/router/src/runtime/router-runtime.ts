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
  /** Shared state between router replicas (`REDIS_URL`): breaker transitions and probe verdicts; unset: none. */
  redisUrl?: string;
  /** Key and channel prefix in Redis (`SWITCHYARD_REDIS_PREFIX`), as the gateway's. */
  redisPrefix?: string;
}

export const ROUTER_RUNTIME = Symbol('ROUTER_RUNTIME');
