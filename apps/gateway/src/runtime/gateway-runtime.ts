import type { SwitchyardConfig } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry';

/** What the gateway is started with: the validated config, the admin key, the logger. */
export interface GatewayRuntime {
  config: SwitchyardConfig;
  adminKey: string;
  logger: Logger;
  /** `host:port` of a router service (`ROUTER_URL`); unset: the policy engine runs in-process. */
  routerUrl?: string;
  /** Shared state between replicas (`REDIS_URL`): circuit breakers today; unset: in-memory. */
  redisUrl?: string;
  /** Key and channel prefix in Redis (`SWITCHYARD_REDIS_PREFIX`), so deployments can share one Redis. */
  redisPrefix?: string;
  /** The config file, for hot reload on change and SIGHUP; unset: no reload. */
  configPath?: string;
}

export const GATEWAY_RUNTIME = Symbol('GATEWAY_RUNTIME');
