import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseConfig } from '@switchyard/contracts';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import { createLogger } from '@switchyard/telemetry';
import { createGateway } from '../apps/gateway/src/gateway.factory';
import { connectRedis, dropScratchStores } from './support/scratch-stores';
import { ADMIN_KEY } from './support/stack';

// Several gateway replicas over one Redis: a circuit one replica opens is open for all.
// Needs Redis: REDIS_URL, or the local default. Without one this suite fails, saying so.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`circuit breakers shared through Redis (${REDIS_URL})`, () => {
  let primary: FakeLlm;
  let secondary: FakeLlm;
  const replicas: { app: NestFastifyApplication; url: string }[] = [];
  const prefix = `switchyard-test-${randomUUID()}`;

  beforeAll(async () => {
    primary = await startFakeLlm({ protocol: 'openai', models: ['m'] });
    secondary = await startFakeLlm({ protocol: 'openai', models: ['m2'] });
    const config = parseConfig(
      JSON.stringify({
        backends: [
          { name: 'primary', protocol: 'openai', baseUrl: primary.baseUrl, tier: 'local', models: ['m'] },
          { name: 'secondary', protocol: 'openai', baseUrl: secondary.baseUrl, tier: 'local', models: ['m2'] },
        ],
        models: [
          {
            name: 'chat',
            targets: [
              { backend: 'primary', model: 'm' },
              { backend: 'secondary', model: 'm2' },
            ],
          },
        ],
        policy: { breaker: { minRequests: 3, failureRate: 0.5, openMs: 60000 }, health: { intervalMs: 60000 } },
      }),
      {},
      'shared-state-test',
    );
    for (let i = 0; i < 2; i++) {
      const logger = createLogger({ destination: new PassThrough().resume() });
      const app = await createGateway({ config, adminKey: ADMIN_KEY, logger, redisUrl: REDIS_URL, redisPrefix: prefix });
      await app.listen(0, '127.0.0.1');
      replicas.push({ app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` });
    }
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.app.close()));
    await Promise.all([primary.close(), secondary.close()]);
    // The replicas' shared breaker state stays in Redis after them: removed, so runs leave nothing behind.
    await dropScratchStores({ redis: await connectRedis(REDIS_URL), prefix });
  });

  const call = (url: string, path: string) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
    });

  it('reports Redis in readiness', async () => {
    const ready = (await (await fetch(`${replicas[0].url}/health/ready`)).json()) as { details: Record<string, { status: string }> };
    expect(ready.details.redis).toEqual({ status: 'up' });
  });

  it('opens the circuit on every replica when one replica trips it', async () => {
    primary.setFault({ mode: 'error', status: 500 });
    for (let i = 0; i < 4; i++) expect((await call(replicas[0].url, '/v1/chat/completions')).status).toBe(200);

    let open = false;
    for (let i = 0; i < 50 && !open; i++) {
      const explain = (await (await call(replicas[1].url, '/v1/route/explain')).json()) as { dropped: { backend: string; reason: string }[] };
      open = explain.dropped.some((d) => d.backend === 'primary' && d.reason === 'circuit open');
      if (!open) await sleep(50);
    }
    expect(open).toBe(true);
    // The second replica never sent primary a request of its own.
    const res = await call(replicas[1].url, '/v1/chat/completions');
    expect(res.headers.get('x-switchyard-backend')).toBe('secondary');
  });
});
