import type { SwitchyardConfig } from '@switchyard/contracts';
import type { RouterClientTls } from '@switchyard/runtime';
import type { Database, DatabaseOptions } from '@switchyard/store';
import type { Logger } from '@switchyard/telemetry';
import type { WorkerLink } from './worker-link';

/** What the gateway is started with: the validated config, the admin key, the logger. */
export interface GatewayRuntime {
  config: SwitchyardConfig;
  adminKey: string;
  logger: Logger;
  /** `host:port` of a router service (`ROUTER_URL`, `grpcs://` allowed); unset: the policy engine runs in-process. */
  routerUrl?: string;
  /** TLS to the router (`ROUTER_TLS_*`, read by `routerTarget`); unset: plaintext unless `routerUrl` says grpcs://. */
  routerTls?: RouterClientTls;
  /** Shared state between replicas (`REDIS_URL`): circuit breakers today; unset: in-memory. */
  redisUrl?: string;
  /** Key and channel prefix in Redis (`SWITCHYARD_REDIS_PREFIX`), so deployments can share one Redis. */
  redisPrefix?: string;
  /**
   * Where tenants and their keys live (PostgreSQL with `DATABASE_URL`, else embedded PGlite under
   * the data dir): opened at start, migrated, closed at shutdown. Or `database`, already open and
   * left open (tests sharing one). Neither: keys live in memory and only the admin key exists.
   */
  databaseOptions?: DatabaseOptions;
  database?: Database;
  /** Hashes API keys and encrypts provider keys (`SWITCHYARD_SECRET`); required with a database. */
  serverSecret?: string;
  /**
   * Where the gateway keeps its files (the ledger's spool). Unset: the embedded database's data dir,
   * else `SWITCHYARD_DATA_DIR`, else `./data`; set it for a database handed in as `database`.
   */
  dataDir?: string;
  /** The config file, for hot reload on change and SIGHUP; unset: no reload. */
  configPath?: string;
  /**
   * Set in a worker of SWITCHYARD_WORKERS: its line to the primary, which holds the limit counters
   * without Redis, relays key revocations, forwards SIGHUP, and sums /metrics over the workers.
   */
  workers?: WorkerLink;
}

export const GATEWAY_RUNTIME = Symbol('GATEWAY_RUNTIME');
