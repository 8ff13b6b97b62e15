/**
 * CLI entry:
 *   node dist/apps/fake-llm/main.js --protocol openai --port 9001 --models a,b --ttft-ms 50 --inter-chunk-ms 20 --host 127.0.0.1
 * Env fallbacks: FAKE_LLM_PROTOCOL, FAKE_LLM_PORT.
 */
import { parseArgs } from 'node:util';
import { startFakeLlm, type FakeLlmOptions } from './fake-llm.server';

const USAGE = `usage: fake-llm --protocol openai|ollama|anthropic [--port N] [--host H] [--models a,b]
                [--latency-ms N] [--ttft-ms N] [--inter-chunk-ms N] [--reply TEXT]
                [--require-api-key KEY] [--max-recorded N]
env fallbacks: FAKE_LLM_PROTOCOL, FAKE_LLM_PORT`;

function num(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  return n;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): FakeLlmOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      protocol: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      models: { type: 'string' },
      'latency-ms': { type: 'string' },
      'ttft-ms': { type: 'string' },
      'inter-chunk-ms': { type: 'string' },
      reply: { type: 'string' },
      'require-api-key': { type: 'string' },
      'max-recorded': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const protocol = values.protocol ?? env.FAKE_LLM_PROTOCOL;
  if (protocol !== 'openai' && protocol !== 'ollama' && protocol !== 'anthropic') {
    throw new Error(`--protocol must be openai, ollama or anthropic (got ${JSON.stringify(protocol)})`);
  }
  const models = values.models
    ?.split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  return {
    protocol: protocol,
    host: values.host ?? '127.0.0.1',
    port: num('port', values.port ?? env.FAKE_LLM_PORT) ?? 0,
    models: models && models.length > 0 ? models : undefined,
    latencyMs: num('latency-ms', values['latency-ms']),
    ttftMs: num('ttft-ms', values['ttft-ms']),
    interChunkMs: num('inter-chunk-ms', values['inter-chunk-ms']),
    reply: values.reply,
    requireApiKey: values['require-api-key'],
    // A long-running process must not grow without bound: keep the last 10k requests unless told otherwise.
    maxRecordedRequests: num('max-recorded', values['max-recorded']) ?? 10_000,
  };
}

async function main(): Promise<void> {
  let options: FakeLlmOptions;
  try {
    options = parseCli(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`fake-llm: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const fake = await startFakeLlm(options);
  process.stdout.write(`fake-llm ${fake.protocol} listening on ${fake.origin}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    fake.close().then(
      () => {
        process.exitCode = 0;
      },
      (e: unknown) => {
        process.stderr.write(`fake-llm: error while closing: ${String(e)}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  void main();
}
