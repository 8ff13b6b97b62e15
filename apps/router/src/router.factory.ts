import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import type { GrpcOptions } from '@nestjs/microservices';
import { leaveOutKeylessCloudBackends, type SwitchyardConfig } from '@switchyard/contracts';
import { HEALTH_PACKAGE, PROTO_LOADER_OPTIONS, ROUTER_PACKAGE, type DecideRequestMsg } from '@switchyard/contracts/router';
import { routerProtoFiles, type RouterServerTls } from '@switchyard/runtime';
import { PinoNestLogger, type Logger } from '@switchyard/telemetry';
import { AppModule } from './app.module';
import { HealthPortServer } from './health/health-port.server';
import { HealthService } from './health/health.service';
import { RouterStateService, type ReloadResult } from './state/router-state.service';
import { RouterController } from './router/router.controller';
import { RouterGrpcServer } from './transport/router-grpc.server';

export interface RouterOptions {
  config: SwitchyardConfig;
  /** Enables hot reload (SIGHUP, file changes, `reload()`). */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** `host:port`; port 0 picks a free one (see `RouterApp.port`). */
  url: string;
  /** Watch the config file for changes (default true when configPath is set). */
  watchConfig?: boolean;
  /** How long close() lets in-flight calls finish. Default 2000. */
  drainMs?: number;
  /** TLS on the gRPC port (`routerServerTls` reads it from ROUTER_TLS_*); unset: plaintext. */
  tls?: RouterServerTls;
  /** `host:port` of a plaintext port serving grpc.health.v1 alone (`ROUTER_HEALTH_PORT`); unset: none. */
  healthUrl?: string;
  /** Shared state between router replicas (`REDIS_URL`): breaker transitions and probe verdicts; unset: none. */
  redisUrl?: string;
  /** Key and channel prefix in Redis (`SWITCHYARD_REDIS_PREFIX`). */
  redisPrefix?: string;
}

export interface RouterApp {
  app: INestMicroservice;
  /** The bound port (the real one when `url` asked for port 0). */
  port: number;
  /** Where a client on this machine reaches it: `127.0.0.1:<port>` for a wildcard host. */
  address: string;
  /** The plaintext health-only port, when `healthUrl` asked for one. */
  healthPort?: number;
  state: RouterStateService;
  reload(): ReloadResult;
  /** NOT_SERVING, streams ended, in-flight calls drained (up to drainMs), server and probes stopped. */
  close(): Promise<void>;
}

/** The gRPC transport options: both packages, the shared proto files and loader options; TLS when given. */
export function routerGrpcOptions(url: string, tls?: RouterServerTls): GrpcOptions['options'] {
  const files = routerProtoFiles();
  return {
    url,
    credentials: tls?.credentials,
    package: [ROUTER_PACKAGE, HEALTH_PACKAGE],
    protoPath: [files.router, files.health],
    loader: { ...PROTO_LOADER_OPTIONS, includeDirs: [files.dir] },
  };
}

/** Builds and starts the router (listening once this resolves). `main.ts` and the tests both start it here. */
export async function createRouter(options: RouterOptions): Promise<RouterApp> {
  const { configPath, env, logger, url, watchConfig, redisUrl, redisPrefix } = options;
  const config = leaveOutKeylessCloudBackends(options.config, logger.child({ component: 'config' }));
  const server = new RouterGrpcServer(routerGrpcOptions(url, options.tls), options.drainMs);
  const app = await NestFactory.createMicroservice(AppModule.register({ config, configPath, env, logger, watchConfig, redisUrl, redisPrefix }), {
    strategy: server,
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
    bufferLogs: false,
  });
  const health = app.get(HealthService);
  const controller = app.get(RouterController);
  server.direct.set('Decide', (req, metadata) => controller.decide(req as DecideRequestMsg, metadata));
  server.decideStream = (req) => controller.decide(req);
  server.onDirectError = (method, err) =>
    logger.error({ method, error: err instanceof Error ? err.message : String(err) }, 'unhandled error in a gRPC handler');
  server.beforeClose = () => health.beginShutdown();
  await app.listen();
  // After the main port: it answers SERVING only once the router does.
  let healthServer: HealthPortServer | undefined;
  if (options.healthUrl) {
    healthServer = new HealthPortServer(health);
    try {
      await healthServer.listen(options.healthUrl);
    } catch (err) {
      await app.close();
      throw new Error(`cannot listen on the health port ${options.healthUrl}: ${(err as Error).message}`);
    }
  }
  const state = app.get(RouterStateService);
  const host = url.slice(0, url.lastIndexOf(':'));
  const port = server.port;
  let closing: Promise<void> | undefined;
  return {
    app,
    port,
    address: `${host === '0.0.0.0' || host === '[::]' || host === '' ? '127.0.0.1' : host}:${port}`,
    healthPort: healthServer?.port,
    state,
    reload: () => state.reload('api'),
    // The health port goes last: probes read NOT_SERVING there while the main port drains.
    close: () => (closing ??= app.close().finally(() => healthServer?.close())),
  };
}
