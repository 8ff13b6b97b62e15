/**
 * `npm run demo`: three simulated backends (a local Ollama, a local OpenAI-compatible server,
 * a cloud Anthropic) and the gateway in front of them, with examples to try.
 * `npm run demo -- --check` runs the examples once and exits (0 when they all work).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { startFakeLlm, type FakeLlm } from './fake-llm.server';

export interface DemoBackends {
  fakes: { ollama: FakeLlm; vllm: FakeLlm; claude: FakeLlm };
  /** A gateway config (YAML) pointing at them. */
  config: string;
  close(): Promise<void>;
}

export async function startDemoBackends(): Promise<DemoBackends> {
  const ollama = await startFakeLlm({ protocol: 'ollama', models: ['llama3.2', 'nomic-embed-text'], ttftMs: 40, interChunkMs: 25 });
  const vllm = await startFakeLlm({ protocol: 'openai', models: ['qwen2.5-7b-instruct'], ttftMs: 30, interChunkMs: 15 });
  const claude = await startFakeLlm({ protocol: 'anthropic', models: ['claude-sonnet-4-5'], ttftMs: 150, interChunkMs: 10, requireApiKey: 'sk-ant-demo-key' });
  const config = `# Written by \`npm run demo\`: simulated backends on this machine.
backends:
  - name: local-ollama
    protocol: ollama
    baseUrl: ${ollama.baseUrl}
    tier: local
    models: [llama3.2, nomic-embed-text]
  - name: local-vllm
    protocol: openai
    baseUrl: ${vllm.baseUrl}
    tier: local
    models: [qwen2.5-7b-instruct]
  - name: cloud-claude
    protocol: anthropic
    baseUrl: ${claude.baseUrl}
    apiKey: sk-ant-demo-key
    tier: cloud
    models:
      - { id: claude-sonnet-4-5, contextWindow: 200000, price: { input: 3, output: 15 } }
models:
  - name: chat
    targets:
      - { backend: local-ollama, model: llama3.2 }
      - { backend: local-vllm, model: qwen2.5-7b-instruct }
      - { backend: cloud-claude, model: claude-sonnet-4-5 }
  - name: embed
    targets:
      - { backend: local-ollama, model: nomic-embed-text }
policy:
  strategy: local-first
  privacy:
    onPii: local-only             # prompts with personal data never leave local backends
  rules:
    - name: cloud-first           # x-switchyard-tags: cloud -> the cloud first (unless the prompt has PII)
      match: { tags: [cloud] }
      action: { strategy: cloud-first }
`;
  return {
    fakes: { ollama, vllm, claude },
    config,
    close: async () => {
      await Promise.all([ollama.close(), vllm.close(), claude.close()]);
    },
  };
}

/** How to get the admin key in another shell: the README's examples start with this line. */
export function keyCommand(keyFile: string | undefined): string {
  return keyFile ? `KEY=$(cat ${keyFile})` : 'KEY=$SWITCHYARD_ADMIN_KEY';
}

/** The PII prompt of the privacy example: asked with the cloud tag, it still stays local. */
export const PII_PROMPT = 'Mail jane@example.com the report';

/** What the demo prints: the key, and commands to paste as they are (the README shows the same ones with $KEY). */
export function demoExamples(base: string, key: string, ollamaOrigin: string, keyFile?: string): string {
  const auth = `-H "Authorization: Bearer ${key}"`;
  return `
Switchyard demo is running.
  gateway   ${base}   (Swagger UI: ${base}/docs — Authorize with the key below)
  admin key ${key}
            (${keyFile ? `stored in ${keyFile}` : 'from SWITCHYARD_ADMIN_KEY'}; in another shell: ${keyCommand(keyFile)})

Try it:

  curl -s ${base}/v1/models ${auth}

  curl -s ${base}/v1/chat/completions ${auth} \\
    -H "Content-Type: application/json" \\
    -d '{"model":"chat","messages":[{"role":"user","content":"Hello!"}]}'

  curl -sN ${base}/v1/chat/completions ${auth} \\
    -H "Content-Type: application/json" \\
    -d '{"model":"chat","stream":true,"messages":[{"role":"user","content":"Stream, please."}]}'

  curl -s ${base}/v1/chat/completions ${auth} \\
    -H "Content-Type: application/json" \\
    -d '{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Straight to the cloud"}]}'

  curl -s ${base}/v1/embeddings ${auth} \\
    -H "Content-Type: application/json" -d '{"model":"embed","input":["first text","second text"]}'

Privacy: "x-switchyard-tags: cloud" asks for the cloud first; a prompt with personal data still stays
local (policy.privacy.onPii: local-only). Compare x-switchyard-tier:

  curl -si ${base}/v1/chat/completions ${auth} \\
    -H "Content-Type: application/json" -H "x-switchyard-tags: cloud" \\
    -d '{"model":"chat","messages":[{"role":"user","content":"Hello, cloud"}]}' | grep -i x-switchyard

  curl -si ${base}/v1/chat/completions ${auth} \\
    -H "Content-Type: application/json" -H "x-switchyard-tags: cloud" \\
    -d '{"model":"chat","messages":[{"role":"user","content":"${PII_PROMPT}"}]}' | grep -i x-switchyard

Watch a fallback: make the local Ollama fail, then ask "chat" again (x-switchyard-backend changes):

  curl -s -X POST ${ollamaOrigin}/_fake/fault -d '{"mode":"error","status":500}'
  curl -si ${base}/v1/chat/completions ${auth} -H "Content-Type: application/json" \\
    -d '{"model":"chat","messages":[{"role":"user","content":"who answers?"}]}' | grep -i x-switchyard
  curl -s -X POST ${ollamaOrigin}/_fake/fault -d '{"mode":"none"}'

With the OpenAI SDK (npm i openai), unchanged but for the base URL:

  node -e '
    const OpenAI = require("openai");
    const client = new OpenAI({ baseURL: "${base}/v1", apiKey: "${key}" });
    (async () => {
      const stream = await client.chat.completions.create({ model: "chat", stream: true,
        messages: [{ role: "user", content: "Hello SDK" }] });
      for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? "");
      console.log();
    })();'

Ctrl-C stops everything.
`;
}

async function waitReady(base: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gateway not ready within ${timeoutMs} ms`);
}

/** Runs the examples once through the gateway; throws on the first that fails. */
export async function checkDemo(base: string, key: string): Promise<string[]> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const seen: string[] = [];
  const models = await fetch(`${base}/v1/models`, { headers });
  if (!models.ok) throw new Error(`/v1/models answered ${models.status}`);
  for (const model of ['chat', 'qwen2.5-7b-instruct', 'claude-sonnet-4-5']) {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'demo check' }] }),
    });
    const body = (await res.json()) as { choices?: { message: { content: string } }[] };
    if (!res.ok || body.choices?.[0]?.message.content !== 'Echo: demo check') throw new Error(`${model} answered ${res.status}: ${JSON.stringify(body)}`);
    seen.push(`${model} -> ${res.headers.get('x-switchyard-backend')} (${res.headers.get('x-switchyard-tier')})`);
  }
  const stream = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'stream check' }] }),
  });
  const text = await stream.text();
  if (!text.trimEnd().endsWith('data: [DONE]')) throw new Error('stream did not end with [DONE]');
  seen.push(`chat stream -> ${stream.headers.get('x-switchyard-backend')}`);
  const emb = await fetch(`${base}/v1/embeddings`, { method: 'POST', headers, body: JSON.stringify({ model: 'embed', input: 'hello' }) });
  if (!emb.ok) throw new Error(`embeddings answered ${emb.status}`);
  seen.push(`embed -> ${emb.headers.get('x-switchyard-backend')}`);
  for (const [what, content] of [
    ['cloud tag', 'Hello, cloud'],
    ['cloud tag + PII', PII_PROMPT],
  ]) {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...headers, 'x-switchyard-tags': 'cloud' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content }] }),
    });
    if (!res.ok) throw new Error(`chat with ${what} answered ${res.status}: ${await res.text()}`);
    const tier = res.headers.get('x-switchyard-tier');
    if (content === PII_PROMPT && tier !== 'local') throw new Error(`a prompt with personal data was answered from the ${tier}`);
    seen.push(`chat, ${what} -> ${res.headers.get('x-switchyard-backend')} (${tier})`);
  }
  return seen;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const port = Number(process.env.PORT ?? 8080);
  const backends = await startDemoBackends();
  const dataDir = resolve(process.env.SWITCHYARD_DATA_DIR ?? 'data');
  mkdirSync(dataDir, { recursive: true });
  const configPath = join(dataDir, 'demo.yaml');
  writeFileSync(configPath, backends.config);

  const gateway = spawn(process.execPath, [join(__dirname, '..', '..', 'gateway', 'src', 'main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SWITCHYARD_CONFIG: configPath,
      SWITCHYARD_DATA_DIR: dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', check ? 'ignore' : 'inherit', 'inherit'],
  });
  const stop = async (code: number): Promise<never> => {
    gateway.kill('SIGTERM');
    await backends.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const base = `http://127.0.0.1:${port}`;
  try {
    await waitReady(base, gateway, 20_000);
    // The key the gateway uses, as `npm start` finds it: SWITCHYARD_ADMIN_KEY, else the one it keeps under the data dir.
    const fromEnv = process.env.SWITCHYARD_ADMIN_KEY?.trim();
    const keyPath = join(dataDir, 'admin-key');
    const key = fromEnv || readFileSync(keyPath, 'utf8').trim();
    const shown = relative(process.cwd(), keyPath);
    const keyFile = fromEnv ? undefined : shown.startsWith('..') ? keyPath : shown;
    const seen = await checkDemo(base, key);
    if (check) {
      process.stdout.write(`demo check passed:\n  ${seen.join('\n  ')}\n`);
      await stop(0);
    }
    process.stdout.write(demoExamples(base, key, backends.fakes.ollama.origin, keyFile));
  } catch (err) {
    process.stderr.write(`demo failed: ${(err as Error).message}\n`);
    await stop(1);
  }
}

if (require.main === module) void main();
