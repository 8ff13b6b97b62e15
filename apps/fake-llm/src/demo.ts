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
  const ollama = await startFakeLlm({ protocol: 'ollama', models: ['llama3.2', 'nomic-embed-text', 'semantic-embed'], ttftMs: 40, interChunkMs: 25 });
  const vllm = await startFakeLlm({ protocol: 'openai', models: ['qwen2.5-7b-instruct'], ttftMs: 30, interChunkMs: 15 });
  const claude = await startFakeLlm({ protocol: 'anthropic', models: ['claude-sonnet-4-5'], ttftMs: 150, interChunkMs: 10, requireApiKey: 'sk-ant-demo-key' });
  const config = `# Written by \`npm run demo\`: simulated backends on this machine.
backends:
  - name: local-ollama
    protocol: ollama
    baseUrl: ${ollama.baseUrl}
    tier: local
    models: [llama3.2, nomic-embed-text, semantic-embed]
  - name: local-vllm
    protocol: openai
    baseUrl: ${vllm.baseUrl}
    tier: local
    costPerHour: 0.8               # a GPU box: its cost is amortised over its measured speed
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
  - name: faq                     # near-identical questions share an answer
    targets:
      - { backend: local-vllm, model: qwen2.5-7b-instruct }
    cache: { mode: semantic }
  - name: semantic-embed          # what the near-match cache embeds questions with (local)
    targets:
      - { backend: local-ollama, model: semantic-embed }
cache:
  mode: exact                     # the same request from the same tenant is answered from the cache
  ttlSeconds: 600
  semantic: { embeddingModel: semantic-embed, threshold: 0.92 }
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

The response cache: ask "faq" the same question twice, then in other words (x-switchyard-cache says
miss, hit, then hit;semantic;score=…); answers are kept per tenant and never served across tenants:

  for q in "What is the capital of France?" "What is the capital of France?" "Tell me the capital of France."; do
    curl -si ${base}/v1/chat/completions ${auth} -H "Content-Type: application/json" \
      -d "{\"model\":\"faq\",\"messages\":[{\"role\":\"user\",\"content\":\"$q\"}]}" | grep -i x-switchyard-cache
  done

What it all cost, and what running locally saved against the cloud (the usage ledger):

  curl -s "${base}/v1/usage?group_by=tier" ${auth}

  npm run cli -- usage --group-by tier${base === 'http://127.0.0.1:8080' ? '' : ` --url ${base}`}

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
  const run = Math.random().toString(36).slice(2, 10);
  const sent: string[] = [];
  // Each request under an id of its own, to find its ledger record afterwards.
  const post = (path: string, body: unknown, extra: Record<string, string> = {}): Promise<Response> => {
    const id = `demo-${run}-${sent.length + 1}`;
    sent.push(id);
    return fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, 'x-request-id': id, ...extra }, body: JSON.stringify(body) });
  };
  const seen: string[] = [];
  const models = await fetch(`${base}/v1/models`, { headers });
  if (!models.ok) throw new Error(`/v1/models answered ${models.status}`);
  for (const model of ['chat', 'qwen2.5-7b-instruct', 'claude-sonnet-4-5']) {
    const res = await post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'demo check' }] });
    const body = (await res.json()) as { choices?: { message: { content: string } }[] };
    if (!res.ok || body.choices?.[0]?.message.content !== 'Echo: demo check') throw new Error(`${model} answered ${res.status}: ${JSON.stringify(body)}`);
    seen.push(`${model} -> ${res.headers.get('x-switchyard-backend')} (${res.headers.get('x-switchyard-tier')})`);
  }
  const stream = await post('/v1/chat/completions', { model: 'chat', stream: true, messages: [{ role: 'user', content: 'stream check' }] });
  const text = await stream.text();
  if (!text.trimEnd().endsWith('data: [DONE]')) throw new Error('stream did not end with [DONE]');
  seen.push(`chat stream -> ${stream.headers.get('x-switchyard-backend')}`);
  const emb = await post('/v1/embeddings', { model: 'embed', input: 'hello' });
  if (!emb.ok) throw new Error(`embeddings answered ${emb.status}`);
  seen.push(`embed -> ${emb.headers.get('x-switchyard-backend')}`);
  for (const [what, content] of [
    ['cloud tag', 'Hello, cloud'],
    ['cloud tag + PII', PII_PROMPT],
  ]) {
    const res = await post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content }] }, { 'x-switchyard-tags': 'cloud' });
    if (!res.ok) throw new Error(`chat with ${what} answered ${res.status}: ${await res.text()}`);
    const tier = res.headers.get('x-switchyard-tier');
    if (content === PII_PROMPT && tier !== 'local') throw new Error(`a prompt with personal data was answered from the ${tier}`);
    seen.push(`chat, ${what} -> ${res.headers.get('x-switchyard-backend')} (${tier})`);
  }
  const cache: string[] = [];
  for (const [i, q] of [
    `What is the capital of France? (${run})`,
    `What is the capital of France? (${run})`,
    `Tell me the capital of France. (${run})`,
  ].entries()) {
    // Answers are kept just after they are sent: a question asked again that very moment may still miss.
    for (let attempt = 0; ; attempt++) {
      const res = await post('/v1/chat/completions', { model: 'faq', messages: [{ role: 'user', content: q }] });
      if (!res.ok) throw new Error(`faq answered ${res.status}: ${await res.text()}`);
      await res.text();
      const header = res.headers.get('x-switchyard-cache') ?? 'none';
      if (i === 0 || header.startsWith('hit') || attempt === 10) {
        cache.push(header);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (cache[0] !== 'miss' || cache[1] !== 'hit' || !cache[2].startsWith('hit;semantic;score=')) throw new Error(`the cache answered ${cache.join(', ')}`);
  seen.push(`cache: ${cache.join(' -> ')}`);
  seen.push(await checkUsage(base, headers, sent));
  return seen;
}

interface LedgerRecord {
  tier: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  reference_cost_usd: number | null;
}

/** The sum of a metric's samples in Prometheus text (every label set). */
function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/**
 * After the examples: every request has its ledger record, and the ledger and /metrics agree on
 * tokens and cost (this gateway's metrics count only what the examples sent); says what running
 * locally saved against the cloud.
 */
async function checkUsage(base: string, headers: Record<string, string>, sent: readonly string[]): Promise<string> {
  const records: LedgerRecord[] = [];
  for (const id of sent) {
    // Records are written in batches, about once a second.
    let res: Response | undefined;
    for (let i = 0; i < 50; i++) {
      res = await fetch(`${base}/admin/v1/requests/${encodeURIComponent(id)}`, { headers });
      if (res.status !== 404) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!res?.ok) throw new Error(`no ledger record for ${id}: ${res?.status} ${await res?.text()}`);
    records.push((await res.json()) as LedgerRecord);
  }
  const sum = (f: (r: LedgerRecord) => number | null) => records.reduce((n, r) => n + (f(r) ?? 0), 0);
  const tokens = sum((r) => r.input_tokens) + sum((r) => r.output_tokens);
  const cost = sum((r) => r.cost_usd);
  const reference = sum((r) => r.reference_cost_usd);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const mTokens = metricSum(metrics, 'switchyard_tokens_total');
  const mCost = metricSum(metrics, 'switchyard_cost_usd_total');
  if (mTokens !== tokens || Math.abs(mCost - cost) > 1e-9)
    throw new Error(`/metrics (${mTokens} tokens, $${mCost}) and the ledger (${tokens} tokens, $${cost}) disagree`);
  const local = records.filter((r) => r.tier === 'local').length;
  const usd = (x: number) => `$${x.toFixed(6)}`;
  return `usage: ${records.length} requests (${local} local), ${tokens} tokens, cost ${usd(cost)}, all-cloud ${usd(reference)}, saved ${usd(reference - cost)}; ledger and /metrics agree`;
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
