import cluster from 'node:cluster';
import { join, resolve } from 'node:path';
import { ConfigError } from '@switchyard/contracts';
import { loadConfigFile, routerTarget, type RouterTarget } from '@switchyard/runtime';
import { createLogger, startTracing } from '@switchyard/telemetry';
import { createGateway } from './gateway.factory';
import { adminKeyNotice, resolveAdminKey, resolveServerSecret } from './runtime/admin-key';
import { drainOnSignals } from './runtime/drain';
import type { GatewayRuntime } from './runtime/gateway-runtime';
import { processChannel, WorkerLink } from './runtime/worker-link';
import { WORKER_SLOT_ENV, workerCount, WorkerPool } from './runtime/workers';

async function main(): Promise<void> {
  const env = process.env;
  const configPath = resolve(env.SWITCHYARD_CONFIG ?? 'config/switchyard.yaml');
  const dataDir = resolve(env.SWITCHYARD_DATA_DIR ?? 'data');
  // A worker of SWITCHYARD_WORKERS: the primary checked the settings below and made the admin key and secret.
  // (Another cluster's worker, pm2's say, sets no slot: it runs as one process, as a replica does.)
  const slot = cluster.isWorker ? Number(env[WORKER_SLOT_ENV]) : NaN;
  const link = Number.isInteger(slot) && slot > 0 ? new WorkerLink(slot, processChannel()) : undefined;
  let workers = 1;
  if (link === undefined) {
    try {
      workers = workerCount(env);
      if (workers > 1 && cluster.isWorker)
        throw new Error('SWITCHYARD_WORKERS cannot be used in a process that is itself a cluster worker (pm2 cluster mode?)');
    } catch (err) {
      process.stderr.write(`switchyard: ${(err as Error).message}\n`);
      process.exit(1);
    }
  }
  const primary = workers > 1;
  // Workers share the primary's stdout: each writes its lines one at a time, as a batch over 4 KiB
  // (the pipe's atomic write) could interleave with another worker's and tear both.
  const logger = link ? createLogger({ sync: true }).child({ worker: link.slot }) : createLogger();
  // Before Nest starts (off unless OTEL_* ask for it); the app flushes its spans when it closes. The primary serves nothing.
  if (!primary) startTracing('switchyard-gateway', logger);

  let config;
  try {
    config = loadConfigFile(configPath, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`switchyard: invalid config: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  // The router's address and TLS files are checked before anything starts: a bad one names its variable.
  let router: RouterTarget | undefined;
  try {
    router = env.ROUTER_URL ? routerTarget(env.ROUTER_URL, env) : undefined;
  } catch (err) {
    process.stderr.write(`switchyard: ${(err as Error).message}\n`);
    process.exit(1);
  }

  if (primary && !env.DATABASE_URL) {
    // Embedded PGlite is one process's files: several workers cannot open it, and routing every query through one process would make it the bottleneck.
    process.stderr.write(
      `switchyard: SWITCHYARD_WORKERS=${workers} needs DATABASE_URL (PostgreSQL): the embedded database under ${dataDir}/pglite can be opened by one process only. Set DATABASE_URL, or unset SWITCHYARD_WORKERS to run one process.\n`,
    );
    process.exit(1);
  }

  // Made (when not given) by the primary or the one process, before any worker starts: workers only read them.
  const admin = resolveAdminKey(env, dataDir, { create: link === undefined });
  // Straight to the terminal, never through the logger: a new key is printed this once.
  if (link === undefined) process.stdout.write(adminKeyNotice(admin));
  const serverSecret = resolveServerSecret(env, dataDir, { create: link === undefined });

  const port = Number(env.PORT ?? 8080);
  const host = env.HOST ?? '0.0.0.0';
  const banner = `Switchyard gateway on http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}  (API /v1, docs /docs)${primary ? `, ${workers} workers` : ''}\n`;
  if (primary) {
    let current = config;
    new WorkerPool({
      count: workers,
      logger: logger.child({ component: 'workers' }),
      banner,
      drainTimeoutMs: () => {
        try {
          current = loadConfigFile(configPath, env);
        } catch {
          // The workers keep their running config on a bad file; so does this.
        }
        return current.server.drainTimeoutMs;
      },
    }).start();
    return;
  }

  const runtime: GatewayRuntime = {
    config,
    adminKey: admin.key,
    // Tenants and keys: PostgreSQL when DATABASE_URL is set, else embedded PGlite under the data dir.
    databaseOptions: env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir },
    serverSecret,
    logger,
    configPath,
    routerUrl: router?.address,
    routerTls: router?.tls,
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.SWITCHYARD_REDIS_PREFIX || undefined,
    // Each worker spools the ledger in a directory of its own; the first uses the one a single process does.
    dataDir: link !== undefined && link.slot > 1 ? join(dataDir, `worker-${link.slot}`) : undefined,
    workers: link,
  };
  const app = await createGateway(runtime);
  // A worker whose primary is killed exits at once (Node's cluster does that): it cannot serve without it.
  drainOnSignals(app, runtime);
  await app.listen(port, host);
  logger.info(
    {
      port,
      host,
      config: configPath,
      pid: process.pid,
      // What it runs on: keyless cloud backends are left out (createGateway).
      backends: runtime.config.backends.length,
      models: runtime.config.models.length,
      policy: router ? `router ${router.address} (${router.tls ? (router.tls.clientCert ? 'mTLS' : 'TLS') : 'plaintext'})` : 'embedded',
      database: env.DATABASE_URL ? 'postgres (DATABASE_URL)' : `embedded PGlite (${dataDir}/pglite)`,
    },
    'gateway listening',
  );
  if (link === undefined) process.stdout.write(banner);
}

main().catch((err: unknown) => {
  process.stderr.write(`switchyard: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
