import { resolve } from 'node:path';
import { ConfigError, type SwitchyardConfig } from '@switchyard/contracts';
import { loadConfigFile, routerServerTls, type RouterServerTls } from '@switchyard/runtime';
import { createLogger, startTracing } from '@switchyard/telemetry';
import { createRouter } from './router.factory';
import { grpcListenUrl, healthListenUrl } from './runtime/listen-address';

function fail(message: string): never {
  process.stderr.write(`switchyard-router: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const env = process.env;
  const configPath = resolve(env.SWITCHYARD_CONFIG ?? 'config/switchyard.yaml');
  let url: string;
  let healthUrl: string | undefined;
  let tls: RouterServerTls | undefined;
  try {
    url = grpcListenUrl(env);
    healthUrl = healthListenUrl(env);
    // Certificate files are read and checked here: a bad one stops the start, naming its variable.
    tls = routerServerTls(env);
  } catch (err) {
    fail((err as Error).message);
  }
  const logger = createLogger();
  // Before Nest starts; off unless OTEL_* ask for it.
  const stopTracing = startTracing('switchyard-router', logger);

  let config: SwitchyardConfig;
  try {
    config = loadConfigFile(configPath, env);
  } catch (err) {
    if (err instanceof ConfigError) fail(`invalid config: ${err.message}`);
    throw err;
  }

  const redisUrl = env.REDIS_URL || undefined;
  const router = await createRouter({ config, configPath, env, logger, url, tls, healthUrl, redisUrl, redisPrefix: env.SWITCHYARD_REDIS_PREFIX || undefined });
  const transport = tls ? `TLS, client certificates: ${tls.clientAuth}` : 'plaintext';
  logger.info(
    {
      url,
      transport,
      healthPort: router.healthPort,
      sharedState: redisUrl ? 'redis' : 'none',
      config: configPath,
      backends: config.backends.length,
      models: config.models.length,
    },
    'router listening',
  );
  process.stdout.write(`Switchyard router on ${router.address} (gRPC, ${transport}: switchyard.router.v1.Router, grpc.health.v1.Health)\n`);
  if (router.healthPort !== undefined) process.stdout.write(`  grpc.health.v1 alone, plaintext, on port ${router.healthPort}\n`);

  // SIGHUP reloads the config (RouterStateService); these two stop.
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'router shutting down');
    router
      .close()
      .then(stopTracing)
      .then(
        () => logger.flush(() => process.exit(0)),
        (err: unknown) => {
          process.stderr.write(`switchyard-router: error while closing: ${(err as Error).message}\n`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  fail(`failed to start: ${(err as Error).message}`);
});
