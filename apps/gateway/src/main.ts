import { resolve } from 'node:path';
import { ConfigError } from '@switchyard/contracts';
import { loadConfigFile, routerTarget, type RouterTarget } from '@switchyard/runtime';
import { createLogger, startTracing } from '@switchyard/telemetry';
import { createGateway } from './gateway.factory';
import { adminKeyNotice, resolveAdminKey, resolveServerSecret } from './runtime/admin-key';
import { drainOnSignals } from './runtime/drain';
import type { GatewayRuntime } from './runtime/gateway-runtime';

async function main(): Promise<void> {
  const env = process.env;
  const configPath = resolve(env.SWITCHYARD_CONFIG ?? 'config/switchyard.yaml');
  const dataDir = resolve(env.SWITCHYARD_DATA_DIR ?? 'data');
  const logger = createLogger();
  // Before Nest starts (off unless OTEL_* ask for it); the app flushes its spans when it closes.
  startTracing('switchyard-gateway', logger);

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

  const admin = resolveAdminKey(env, dataDir);
  // Straight to the terminal, never through the logger: a new key is printed this once.
  process.stdout.write(adminKeyNotice(admin));

  const runtime: GatewayRuntime = {
    config,
    adminKey: admin.key,
    // Tenants and keys: PostgreSQL when DATABASE_URL is set, else embedded PGlite under the data dir.
    databaseOptions: env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir },
    serverSecret: resolveServerSecret(env, dataDir),
    logger,
    configPath,
    routerUrl: router?.address,
    routerTls: router?.tls,
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.SWITCHYARD_REDIS_PREFIX || undefined,
  };
  const app = await createGateway(runtime);
  drainOnSignals(app, runtime);
  const port = Number(env.PORT ?? 8080);
  const host = env.HOST ?? '0.0.0.0';
  await app.listen(port, host);
  logger.info(
    {
      port,
      host,
      config: configPath,
      // What it runs on: keyless cloud backends are left out (createGateway).
      backends: runtime.config.backends.length,
      models: runtime.config.models.length,
      policy: router ? `router ${router.address} (${router.tls ? (router.tls.clientCert ? 'mTLS' : 'TLS') : 'plaintext'})` : 'embedded',
      database: env.DATABASE_URL ? 'postgres (DATABASE_URL)' : `embedded PGlite (${dataDir}/pglite)`,
    },
    'gateway listening',
  );
  process.stdout.write(`Switchyard gateway on http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}  (API /v1, docs /docs)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`switchyard: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
