import { parseConfig } from '@switchyard/contracts';
import { createLogger } from '@switchyard/telemetry';
import { checkDemo, demoExamples, keyCommand, PII_PROMPT, startDemoBackends, type DemoBackends } from '../apps/fake-llm/src/demo';
import { createGateway } from '../apps/gateway/src/gateway.factory';
import type { Database } from '../libs/store/src/sql/database';
import { closeTestDatabase, openTestDatabase } from '../libs/store/src/sql/test-database';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';

// `npm run demo` wires simulated backends to the gateway and runs its examples; the same pieces here.
describe('the demo', () => {
  let backends: DemoBackends;
  let app: NestFastifyApplication;
  let db: Database;
  let base: string;
  const key = 'sy-admin-demo-test';

  beforeAll(async () => {
    backends = await startDemoBackends();
    const config = parseConfig(backends.config, {}, 'demo.yaml');
    // As `npm run demo` runs it: with a database (the usage ledger), here a test one.
    db = await openTestDatabase();
    app = await createGateway({
      config,
      adminKey: key,
      database: db,
      serverSecret: 'switchyard-demo-test-secret-0123456789',
      logger: createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
    });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.close();
    await backends.close();
    await closeTestDatabase(db);
  });

  it('serves every example: local first, the cloud by its model id, streams, embeddings, a PII prompt kept local', async () => {
    const seen = await checkDemo(base, key);
    expect(seen).toEqual([
      'chat -> local-ollama (local)',
      'qwen2.5-7b-instruct -> local-vllm (local)',
      'claude-sonnet-4-5 -> cloud-claude (cloud)',
      'chat stream -> local-ollama',
      'embed -> local-ollama',
      'chat, cloud tag -> cloud-claude (cloud)',
      'chat, cloud tag + PII -> local-ollama (local)',
      expect.stringMatching(/^cache: miss -> hit -> hit;semantic;score=(0\.9[2-9]\d|1\.000)$/),
      expect.stringMatching(
        /^usage: \d+ requests \(\d+ local\), \d+ tokens, cost \$\d+\.\d{6}, all-cloud \$\d+\.\d{6}, saved \$0\.0*[1-9]\d*; ledger and \/metrics agree$/,
      ),
    ]);
  });

  it('runs with a privacy policy that keeps personal data local', () => {
    expect(parseConfig(backends.config, {}, 'demo.yaml').policy.privacy.onPii).toBe('local-only');
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
    const text = demoExamples(base, key, backends.fakes.ollama.origin, 'data/admin-key');
    expect(text).toContain(`admin key ${key}\n`);
    expect(text).toContain(`${base}/v1/chat/completions`);
    expect(text).toContain(`Bearer ${key}`);
    expect(text).toContain(PII_PROMPT);
  });

  it("prints the README's commands and key: the README's examples are what the demo prints", () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const examples = readme.slice(readme.indexOf('## Examples'), readme.indexOf('With the official OpenAI SDK'));
    // A command is its lines joined at their trailing backslashes, spaces collapsed.
    const commands = (text: string): string[] =>
      text
        .replace(/\\\n\s*/g, ' ')
        .split('\n')
        .map((l) => l.replace(/\s+/g, ' ').trim())
        .filter((l) => l.startsWith('curl ') || l.startsWith('KEY='))
        .map((l) => l.replace(/ +#.*$/, ''));
    const documented = [...examples.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap(([, block]) => commands(block));
    expect(documented.length).toBeGreaterThanOrEqual(7);
    expect(documented[0]).toBe(keyCommand('data/admin-key'));
    const text = demoExamples('http://127.0.0.1:8080', 'sy-admin-printed', backends.fakes.ollama.origin, 'data/admin-key');
    const printed = commands(text).join('\n');
    for (const command of documented.slice(1)) expect(printed).toContain(command.replaceAll('$KEY', 'sy-admin-printed'));
    expect(text).toContain(`in another shell: ${documented[0]})`);
    expect(documented.some((c) => c.includes(PII_PROMPT))).toBe(true);
  });
});
