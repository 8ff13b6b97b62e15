import type { SwitchyardConfig } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry';

/** What the gateway is started with: the validated config, the admin key, the logger. */
export interface GatewayRuntime {
  config: SwitchyardConfig;
  adminKey: string;
  logger: Logger;
  /** `host:port` of a router service (`ROUTER_URL`); unset: the policy engine runs in-process. */
  routerUrl?: string;
  /** The config file, for hot reload on change and SIGHUP; unset: no reload. */
  configPath?: string;
}

export const GATEWAY_RUNTIME = Symbol('GATEWAY_RUNTIME');
