/**
 * Test harness for the router: a temp config over fake-llm backends, the router started in-process
 * on 127.0.0.1:0, and a plain grpc-js client speaking the real protocol to it. Shared by the
 * router's e2e spec and the RouterClient's spec against a real router. Not built (`*.mock.ts`).
 */
import { toDecideRequest } from '@switchyard/policy';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, credentials, type ChannelCredentials, type ChannelOptions, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { parseConfig } from '@switchyard/contracts';
import {
  type BackendStatesMsg,
  type DecideResponseMsg,
  type HealthCheckResponseMsg,
  type OutcomeMsg,
  type ReportSummaryMsg,
} from '@switchyard/contracts/router';
import { loadRouterProto } from '@switchyard/runtime';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import type { RequestFeatures } from '@switchyard/policy';
import { memoryLogger, type LogLine } from '@switchyard/runtime/testing.mock';
import type { Logger } from '@switchyard/telemetry';
import { createRouter, type RouterApp } from '../src/router.factory';

export { features, memoryLogger, waitFor, type LogLine } from '@switchyard/runtime/testing.mock';

export interface TestBackend {
  name: string;
  tier: 'local' | 'cloud';
  model: string;
  port: number;
}

/** A config over the given backends: public model `chat` chains them in order; probes every 100 ms. */
export function configYaml(backends: TestBackend[], extra = ''): string {
  return [
    'backends:',
    ...backends.flatMap((b) => [
      `  - name: ${b.name}`,
      '    protocol: openai',
      `    baseUrl: http://127.0.0.1:${b.port}/v1`,
      `    tier: ${b.tier}`,
      // A cloud backend without a key would be left out.
      ...(b.tier === 'cloud' ? ['    apiKey: sk-test-cloud-0123456789'] : []),
      `    models: [${b.model}]`,
    ]),
    'models:',
    '  - name: chat',
    '    targets:',
    ...backends.map((b) => `      - { backend: ${b.name}, model: ${b.model} }`),
    'policy:',
    '  health: { intervalMs: 100, timeoutMs: 200, failuresToDown: 2, successesToUp: 2 }',
    '  breaker: { minRequests: 3, failureRate: 0.5, windowMs: 30000, openMs: 60000 }',
    extra,
  ].join('\n');
}

export interface RouterStack {
  dir: string;
  configPath: string;
  fakes: Map<string, FakeLlm>;
  backends: TestBackend[];
  router: RouterApp;
  lines: LogLine[];
  logger: Logger;
  /** Starts a (new) router on the same config file and, when given, the same port. */
  restart(port?: number): Promise<RouterApp>;
  close(): Promise<void>;
}

/** Two fake OpenAI backends (`local` serving llama, `cloud` serving gpt) and a router over them. */
export async function startRouterStack(opts: { watchConfig?: boolean } = {}): Promise<RouterStack> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-router-'));
  const fakes = new Map<string, FakeLlm>();
  const backends: TestBackend[] = [];
  for (const [name, tier, model] of [
    ['local', 'local', 'llama'],
    ['cloud', 'cloud', 'gpt'],
  ] as const) {
    const fake = await startFakeLlm({ protocol: 'openai', models: [model] });
    fakes.set(name, fake);
    backends.push({ name, tier, model, port: fake.port });
  }
  const configPath = join(dir, 'switchyard.yaml');
  const text = configYaml(backends);
  writeFileSync(configPath, text);
  const { logger, lines } = memoryLogger();
  const start = (port = 0): Promise<RouterApp> =>
    createRouter({
      config: parseConfig(text, {}, configPath),
      configPath,
      env: {},
      logger,
      url: `127.0.0.1:${port}`,
      watchConfig: opts.watchConfig ?? false,
      drainMs: 4000,
    });
  const stack: RouterStack = {
    dir,
    configPath,
    fakes,
    backends,
    router: await start(),
    lines,
    logger,
    async restart(port) {
      stack.router = await start(port);
      return stack.router;
    },
    async close() {
      await stack.router.close();
      await Promise.allSettled([...fakes.values()].map((f) => f.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** A plain grpc-js client for the router, on the shared proto definitions. */
export class TestRouterClient {
  readonly client: Client;
  private readonly proto = loadRouterProto();

  /** Plaintext unless given credentials (a TLS client, with or without a certificate). */
  constructor(address: string, creds: ChannelCredentials = credentials.createInsecure(), options: ChannelOptions = {}) {
    this.client = new Client(address, creds, options);
  }

  decide(f: RequestFeatures, inFlight: Record<string, number> = {}): Promise<DecideResponseMsg> {
    const m = this.proto.router.Decide;
    return new Promise((resolve, reject) =>
      this.client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        toDecideRequest(f, inFlight),
        { deadline: Date.now() + 5_000 },
        (err, res) => (err || !res ? reject(err ?? new Error('no response')) : resolve(res)),
      ),
    );
  }

  report(outcomes: OutcomeMsg[]): Promise<ReportSummaryMsg> {
    const m = this.proto.router.ReportOutcomes;
    return new Promise((resolve, reject) => {
      const call = this.client.makeClientStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, { deadline: Date.now() + 5_000 }, (err, res) =>
        err || !res ? reject(err ?? new Error('no response')) : resolve(res),
      );
      for (const o of outcomes) call.write(o);
      call.end();
    });
  }

  /** Opens WatchBackends and keeps every message. */
  watch(): { states: BackendStatesMsg[]; call: ClientReadableStream<BackendStatesMsg>; ended: Promise<ServiceError | undefined> } {
    const m = this.proto.router.WatchBackends;
    const call = this.client.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, {}, {});
    const states: BackendStatesMsg[] = [];
    call.on('data', (s: BackendStatesMsg) => states.push(s));
    const ended = new Promise<ServiceError | undefined>((resolve) => {
      call.on('error', (err: ServiceError) => resolve(err));
      call.on('end', () => resolve(undefined));
    });
    return { states, call, ended };
  }

  check(service: string): Promise<HealthCheckResponseMsg> {
    const m = this.proto.health.Check;
    return new Promise((resolve, reject) =>
      this.client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, { service }, { deadline: Date.now() + 5_000 }, (err, res) =>
        err || !res ? reject(err ?? new Error('no response')) : resolve(res),
      ),
    );
  }

  healthWatch(service: string): { statuses: string[]; ended: Promise<ServiceError | undefined>; call: ClientReadableStream<HealthCheckResponseMsg> } {
    const m = this.proto.health.Watch;
    const call = this.client.makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, { service }, {});
    const statuses: string[] = [];
    call.on('data', (r: HealthCheckResponseMsg) => statuses.push(r.status));
    const ended = new Promise<ServiceError | undefined>((resolve) => {
      call.on('error', (err: ServiceError) => resolve(err));
      call.on('end', () => resolve(undefined));
    });
    return { statuses, ended, call };
  }

  close(): void {
    this.client.close();
  }
}
