import { parseConfig } from '@switchyard/contracts';
import { createLogger } from '@switchyard/telemetry';
import { checkDemo, demoExamples, startDemoBackends, type DemoBackends } from '../apps/fake-llm/src/demo';
import { createGateway } from '../apps/gateway/src/gateway.factory';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';

// `npm run demo` wires simulated backends to the gateway and runs its examples; the same pieces here.
describe('the demo', () => {
  let backends: DemoBackends;
  let app: NestFastifyApplication;
  let base: string;
  const key = 'sy-admin-demo-test';

  beforeAll(async () => {
    backends = await startDemoBackends();
    const config = parseConfig(backends.config, {}, 'demo.yaml');
    app = await createGateway({ config, adminKey: key, logger: createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) }) });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.close();
    await backends.close();
  });

  it('serves every example: local first, the cloud by its model id, streams, embeddings', async () => {
    const seen = await checkDemo(base, key);
    expect(seen).toEqual([
      'chat -> local-ollama (local)',
      'qwen2.5-7b-instruct -> local-vllm (local)',
      'claude-sonnet-4-5 -> cloud-claude (cloud)',
      'chat stream -> local-ollama',
      'embed -> local-ollama',
    ]);
  });

  it('shows the fallback it describes when the local Ollama fails', async () => {
    backends.fakes.ollama.setFault({ mode: 'error', status: 500 });
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'who answers?' }] }),
    });
    expect(res.headers.get('x-switchyard-backend')).toBe('local-vllm');
    backends.fakes.ollama.setFault(undefined);
  });

  it('prints examples that name the gateway and key', () => {
    const text = demoExamples(base, key, backends.fakes.ollama.origin);
    expect(text).toContain(`${base}/v1/chat/completions`);
    expect(text).toContain(`Bearer ${key}`);
  });
});
