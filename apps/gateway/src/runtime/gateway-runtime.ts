import type { SwitchyardConfig } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry';

/** What the gateway is started with: the validated config, the admin key, the logger. */
export interface GatewayRuntime {
  config: SwitchyardConfig;
  adminKey: string;
  logger: Logger;
}

export const GATEWAY_RUNTIME = Symbol('GATEWAY_RUNTIME');
