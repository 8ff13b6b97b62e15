import { credentials, status as GrpcStatus, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { makeTestCerts, type TestCerts } from '@switchyard/runtime/tls/test-certs.mock';
import { features, TestRouterClient, waitFor } from '../apps/router/test/router-harness.mock';
import { postJson, startStack, type Stack, type StackSpec } from './support/stack';

// Gateway and router on 127.0.0.1 with TLS on their gRPC channel, configured as both processes are:
// from ROUTER_TLS_* variables naming PEM files (a throwaway CA and certificates made with openssl).

const backends: StackSpec['backends'] = [
  { name: 'local', protocol: 'openai', tier: 'local', models: ['llama'] },
  { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['gpt'] },
];
const models = [
  {
    name: 'chat',
    targets: [
      { backend: 'local', model: 'llama' },
      { backend: 'cloud', model: 'gpt' },
    ],
  },
];
const chat = { model: 'chat', messages: [{ role: 'user', content: 'hello over TLS' }] };

/** A call's outcome: SERVING, or the gRPC status it failed with. */
async function healthOf(client: TestRouterClient, service = ''): Promise<string> {
  try {
    return (await client.check(service)).status;
  } catch (err) {
    return GrpcStatus[(err as ServiceError).code];
  }
}

async function readiness(stack: Stack): Promise<{ router?: { status: string; connected: boolean } }> {
  const body = (await (await fetch(`${stack.url}/health/ready`)).json()) as { details: { router?: { status: string; connected: boolean } } };
  return body.details;
}

async function routerFallbacks(stack: Stack): Promise<number> {
  const metrics = await (await fetch(`${stack.url}/metrics`)).text();
  return Number(/^switchyard_router_fallback_total (\d+)$/m.exec(metrics)?.[1] ?? 'NaN');
}

describe('gateway ↔ router gRPC over TLS', () => {
  let certs: TestCerts;
  const clients: TestRouterClient[] = [];
  const pem = (path: string) => readFileSync(path);
  const client = (address: string, creds: ChannelCredentials): TestRouterClient => {
    const c = new TestRouterClient(address, creds);
    clients.push(c);
    return c;
  };

  beforeAll(() => {
    certs = makeTestCerts();
  });
  afterAll(() => certs.remove());
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  describe('mutual TLS (ROUTER_TLS_CLIENT_AUTH=require)', () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack({
        mode: 'remote',
        backends,
        models,
        policy: { health: { intervalMs: 60000 } },
        routerEnv: {
          ROUTER_TLS_CERT: certs.serverCert,
          ROUTER_TLS_KEY: certs.serverKey,
          ROUTER_TLS_CA: certs.ca,
          ROUTER_TLS_CLIENT_AUTH: 'require',
          ROUTER_TLS_CLIENT_CERT: certs.clientCert,
          ROUTER_TLS_CLIENT_KEY: certs.clientKey,
        },
        routerHealthPort: true,
      });
    });
    afterAll(() => stack.close());

    it("routes a chat completion on the router's decision, over the mutually authenticated channel", async () => {
      // WatchBackends and Decide both run over the TLS channel; readiness reports it connected.
      await waitFor(async () => (await readiness(stack)).router?.connected, 10_000, 'the gateway connected to the router over TLS');

      const explain = (await (await postJson(stack, chat, {}, '/route/explain')).json()) as { mode: string; candidates: { backend: string }[] };
      expect(explain.mode).toBe('remote');
      expect(explain.candidates.map((c) => c.backend)).toEqual(['local', 'cloud']);

      const res = await postJson(stack, chat);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-switchyard-backend')).toBe('local');
      expect(res.headers.get('x-switchyard-tier')).toBe('local');
      expect(res.headers.get('x-switchyard-route')).toBe('model:chat');
      expect(((await res.json()) as { choices: unknown[] }).choices).toHaveLength(1);
      // Decided by the router, not by the gateway's fallback engine...
      expect(await routerFallbacks(stack)).toBe(0);
      // ...and the attempt's outcome went back to it over the same channel (ReportOutcomeBatches).
      await waitFor(() => stack.router!.state.snapshot().backends.find((b) => b.name === 'local')?.ttftMs !== undefined, 5_000, 'the outcome at the router');
    });

    it('serves a gRPC client that presents a certificate the CA signed: Decide and grpc.health.v1', async () => {
      const c = client(stack.router!.address, credentials.createSsl(pem(certs.ca), pem(certs.clientKey), pem(certs.clientCert)));
      expect(await healthOf(c)).toBe('SERVING');
      expect(await healthOf(c, 'switchyard.router.v1.Router')).toBe('SERVING');
      expect((await c.decide(features('chat'))).candidates.map((x) => x.backend)).toEqual(['local', 'cloud']);
    });

    it('refuses a TLS client without a certificate', async () => {
      const c = client(stack.router!.address, credentials.createSsl(pem(certs.ca)));
      expect(await healthOf(c)).toBe('UNAVAILABLE');
      await expect(c.decide(features('chat'))).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    });

    it('refuses a client whose certificate another CA signed', async () => {
      const c = client(stack.router!.address, credentials.createSsl(pem(certs.ca), pem(certs.strangerKey), pem(certs.strangerCert)));
      expect(await healthOf(c)).toBe('UNAVAILABLE');
    });

    it('refuses a plaintext client', async () => {
      const c = client(stack.router!.address, credentials.createInsecure());
      expect(await healthOf(c)).toBe('UNAVAILABLE');
      await expect(c.decide(features('chat'))).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    });

    it("is refused by a client that does not trust the router's CA", async () => {
      // The system's roots do not include the throwaway CA: the gateway side verifies the router too.
      const c = client(stack.router!.address, credentials.createSsl(null, pem(certs.clientKey), pem(certs.clientCert)));
      expect(await healthOf(c)).toBe('UNAVAILABLE');
    });

    it('answers grpc.health.v1 alone, in plaintext, on the health port (for kubelet grpc: probes)', async () => {
      expect(stack.router!.healthPort).toBeGreaterThan(0);
      const c = client(`127.0.0.1:${stack.router!.healthPort}`, credentials.createInsecure());
      expect(await healthOf(c)).toBe('SERVING');
      expect(await healthOf(c, 'switchyard.router.v1.Router')).toBe('SERVING');
      expect(await healthOf(c, 'no.such.Service')).toBe('NOT_FOUND');
      // Nothing but health there: routing needs the TLS port.
      await expect(c.decide(features('chat'))).rejects.toMatchObject({ code: GrpcStatus.UNIMPLEMENTED });
      const watch = c.healthWatch('');
      await waitFor(() => watch.statuses.length > 0, 2_000, 'a Watch message on the health port');
      expect(watch.statuses).toEqual(['SERVING']);
      watch.call.cancel();
    });
  });

  describe('TLS with optional client certificates (ROUTER_TLS_CLIENT_AUTH=optional)', () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack({
        mode: 'remote',
        backends,
        models,
        policy: { health: { intervalMs: 60000 } },
        // The gateway presents no certificate, and verifies the router under another name than the address's.
        routerEnv: {
          ROUTER_TLS_CERT: certs.serverCert,
          ROUTER_TLS_KEY: certs.serverKey,
          ROUTER_TLS_CA: certs.ca,
          ROUTER_TLS_CLIENT_AUTH: 'optional',
          ROUTER_TLS_SERVERNAME: 'router.test',
        },
      });
    });
    afterAll(() => stack.close());

    it('routes for a gateway without a client certificate', async () => {
      await waitFor(async () => (await readiness(stack)).router?.connected, 10_000, 'the gateway connected to the router over TLS');
      const res = await postJson(stack, chat);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-switchyard-backend')).toBe('local');
      await res.json();
      expect(await routerFallbacks(stack)).toBe(0);
    });

    it('serves TLS clients with or without a certificate, and still refuses plaintext', async () => {
      const address = stack.router!.address;
      expect(await healthOf(client(address, credentials.createSsl(pem(certs.ca))))).toBe('SERVING');
      expect(await healthOf(client(address, credentials.createSsl(pem(certs.ca), pem(certs.clientKey), pem(certs.clientCert))))).toBe('SERVING');
      expect(await healthOf(client(address, credentials.createInsecure()))).toBe('UNAVAILABLE');
    });
  });
});
