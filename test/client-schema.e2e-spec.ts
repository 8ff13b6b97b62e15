import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startStack, type Stack } from './support/stack';

// libs/client/src/schema.ts is generated from the gateway's /openapi.json (npm run client:generate);
// a change to the API that is not regenerated and committed fails here.

const ROOT = join(__dirname, '..');

describe('the typed client (libs/client)', () => {
  let stack: Stack;
  let dir: string;
  beforeAll(async () => {
    stack = await startStack({
      backends: [{ name: 'local', protocol: 'openai', models: ['m'] }],
      models: [{ name: 'chat', targets: [{ backend: 'local', model: 'm' }] }],
    });
    dir = mkdtempSync(join(tmpdir(), 'switchyard-client-'));
  });
  afterAll(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is generated from the gateway's current OpenAPI document", async () => {
    const document = join(dir, 'openapi.json');
    writeFileSync(document, await (await fetch(`${stack.url}/openapi.json`)).text());
    // openapi-typescript is ESM only: the generator runs in its own Node process.
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/generate-client.mjs', '--check', '--from', document], {
      cwd: ROOT,
      timeout: 30_000,
    });
    expect(stdout).toContain('up to date');
  });
});
