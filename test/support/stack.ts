import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseConfig, type Protocol, type Tier } from '@switchyard/contracts';
import type { Database } from '@switchyard/store';
import { startFakeLlm, type FakeLlm, type FakeLlmOptions, type RecordedRequest } from '@switchyard/fake-llm';
import { routerServerTls, routerTarget } from '@switchyard/runtime';
import { createLogger } from '@switchyard/telemetry';
import { createGateway } from '../../apps/gateway/src/gateway.factory';
import { createRouter, type RouterApp } from '../../apps/router/src/router.factory';

export const ADMIN_KEY = 'sy-admin-test-0123456789abcdef';
/** What cloud backends are configured with unless a test says otherwise (the fakes accept any key). */
export const CLOUD_TEST_KEY = 'sk-test-cloud-0123456789';

export interface BackendSpec {
  name: string;
  protocol: Protocol;
  tier?: Tier;
  models: string[];
  /** Options for its fake-llm; `down: true` points the backend at a closed port instead. */
  fake?: Partial<FakeLlmOptions>;
  down?: boolean;
  /** Default for cloud backends: CLOUD_TEST_KEY (a keyless cloud backend is left out); '' means none. */
  apiKey?: string;
  allowClientKey?: boolean;
  maxConcurrency?: number;
  timeouts?: Partial<Record<'connectMs' | 'firstByteMs' | 'idleMs' | 'totalMs', number>>;
  limits?: Partial<Record<'responseBytes' | 'streamEventBytes', number>>;
  /** USD per 1M tokens (cloud), or per hour of the box (local). */
  price?: { input: number; output: number };
  costPerHour?: number;
}

export interface StackSpec {
  backends: BackendSpec[];
  models?: { name: string; targets: { backend: string; model: string }[]; cache?: Record<string, unknown> }[];
  /** The config's `server` section (limits and timeouts). */
  server?: Record<string, number>;
  routing?: { totalDeadlineMs?: number };
  /** The config's `policy` section, as YAML would give it. */
  policy?: Record<string, unknown>;
  /** The config's `usage` and `metrics` sections. */
  usage?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  /** The config's `cache` section. */
  cache?: Record<string, unknown>;
  /** `remote`: a router service decides (in-process, over real gRPC); default `embedded`. */
  mode?: 'embedded' | 'remote';
  /**
   * Remote mode: the environment both router and gateway read `ROUTER_TLS_*` from, as their
   * main.ts do (the router `routerServerTls`, the gateway `routerTarget` on the router's address).
   */
  routerEnv?: NodeJS.ProcessEnv;
  /** Remote mode: the router also serves grpc.health.v1 alone, plaintext, on an ephemeral port (`ROUTER_HEALTH_PORT`). */
  routerHealthPort?: boolean;
  /** Write the config to this file and hand its path to the gateway (hot reload). */
  configPath?: string;
  /** Tenants and keys in this database (e.g. `openTestDatabase()`), left open at close; unset: none. */
  database?: Database;
  /** The gateway's data dir (where the ledger spools while `database` is unreachable); unset: the runtime's default. */
  dataDir?: string;
  /** Redis shared with other gateways, under `redisPrefix`. */
  redisUrl?: string;
  redisPrefix?: string;
}

/** The server secret test gateways with a database hash their keys with. */
export const TEST_SERVER_SECRET = 'switchyard-test-server-secret-0123456789';

export interface Stack {
  app: NestFastifyApplication;
  /** The gateway's origin, e.g. http://127.0.0.1:40123 */
  url: string;
  /** What an OpenAI client takes as its base URL. */
  baseURL: string;
  fakes: Record<string, FakeLlm>;
  /** The router service in remote mode. */
  router?: RouterApp;
  /** Every log line the gateway wrote, parsed. */
  logs: () => Record<string, unknown>[];
  close(): Promise<void>;
}

/** A port nobody listens on: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Fake backends on ephemeral ports and a gateway in front of them, all on 127.0.0.1. */
export async function startStack(spec: StackSpec): Promise<Stack> {
  const fakes: Record<string, FakeLlm> = {};
  const backends = [];
  for (const b of spec.backends) {
    let baseUrl: string;
    if (b.down) {
      const port = await closedPort();
      baseUrl = b.protocol === 'openai' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`;
    } else {
      const fake = await startFakeLlm({ protocol: b.protocol, models: b.models, ...b.fake });
      fakes[b.name] = fake;
      baseUrl = fake.baseUrl;
    }
    backends.push({
      name: b.name,
      protocol: b.protocol,
      baseUrl,
      tier: b.tier ?? 'local',
      models: b.models,
      apiKey: b.apiKey ?? (b.tier === 'cloud' ? CLOUD_TEST_KEY : undefined),
      allowClientKey: b.allowClientKey,
      timeouts: b.timeouts,
      limits: b.limits,
      maxConcurrency: b.maxConcurrency,
      price: b.price,
      costPerHour: b.costPerHour,
    });
  }
  // Through the real loader: YAML is a superset of JSON.
  const sections = { server: spec.server, routing: spec.routing, policy: spec.policy, usage: spec.usage, metrics: spec.metrics, cache: spec.cache };
  const text = JSON.stringify({ backends, models: spec.models ?? [], ...sections }, null, 2);
  if (spec.configPath) writeFileSync(spec.configPath, text);
  const config = parseConfig(text, {}, 'test-config');

  const lines: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => lines.push(...c.toString().split('\n').filter(Boolean)));
  const logger = createLogger({ destination: sink, level: 'info' });

  const routerEnv = spec.routerEnv ?? {};
  const router =
    spec.mode === 'remote'
      ? await createRouter({
          config,
          logger: createLogger({ destination: new PassThrough().resume(), level: 'warn' }),
          url: '127.0.0.1:0',
          drainMs: 200,
          tls: routerServerTls(routerEnv),
          healthUrl: spec.routerHealthPort ? '127.0.0.1:0' : undefined,
        })
      : undefined;
  const target = router ? routerTarget(router.address, routerEnv) : undefined;
  const app = await createGateway({
    config,
    adminKey: ADMIN_KEY,
    logger,
    routerUrl: target?.address,
    routerTls: target?.tls,
    configPath: spec.configPath,
    database: spec.database,
    dataDir: spec.dataDir,
    serverSecret: spec.database ? TEST_SERVER_SECRET : undefined,
    redisUrl: spec.redisUrl,
    redisPrefix: spec.redisPrefix,
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    baseURL: `${url}/v1`,
    fakes,
    router,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    async close() {
      await app.close();
      await router?.close();
      await Promise.all(Object.values(fakes).map((f) => f.close()));
    },
  };
}

/** Reads a server-sent-event response into its data payloads. */
export async function readSseData(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .map((e) => e.trim())
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice('data: '.length));
}

/** POSTs a JSON body to the gateway's /v1 with the admin key (and any extra headers). */
export function postJson(stack: Stack, body: unknown, extra: Record<string, string> = {}, path = '/chat/completions'): Promise<Response> {
  return fetch(`${stack.baseURL}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', ...extra },
    body: JSON.stringify(body),
  });
}

/** The chat and embedding calls a fake received (health probes and /_fake control calls aside). */
export function inferenceCalls(fake: FakeLlm): RecordedRequest[] {
  return fake.requests.filter((r) => r.method === 'POST' && !r.path.startsWith('/_fake'));
}
