import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ADMIN_KEY, closedPort } from './stack';

// The gateway as `npm start` runs it: the build of the current sources, a real OS process.

const ROOT = join(__dirname, '..', '..');
export const GATEWAY_MAIN = join(ROOT, 'dist', 'apps', 'gateway', 'src', 'main.js');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the build reads: a change to any of them makes dist stale. Specs and mocks are not built. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|proto|json)$/.test(entry.name) && !/\.(spec|e2e-spec|mock)\.ts$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Runs `nest build` unless dist already holds a build newer than every source it is made of
 * (apps/, libs/, the tsconfigs, nest-cli.json, package.json). Up to three minutes.
 */
export async function buildIfStale(): Promise<void> {
  if (existsSync(GATEWAY_MAIN)) {
    const inputs = ['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package.json'].map((f) => statSync(join(ROOT, f)).mtimeMs);
    const newest = Math.max(newestSource(join(ROOT, 'apps')), newestSource(join(ROOT, 'libs')), ...inputs);
    if (statSync(GATEWAY_MAIN).mtimeMs > newest) return;
  }
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'], { cwd: ROOT, timeout: 170_000 });
}

export interface GatewayProcessOptions {
  /** The config file's content (YAML; JSON is YAML). */
  config: unknown;
  /** More environment: DATABASE_URL, REDIS_URL, SWITCHYARD_SECRET, SWITCHYARD_REDIS_PREFIX… */
  env?: Record<string, string>;
  /** How long to wait for /health/live; default 60 s (several processes starting on a small machine). */
  startMs?: number;
}

export interface GatewayProcess {
  child: ChildProcess;
  /** The gateway's origin, e.g. http://127.0.0.1:40123 */
  url: string;
  /** What an OpenAI client takes as its base URL. */
  baseURL: string;
  /** Everything it wrote, stdout and stderr. */
  output: () => string;
  /** The JSON log lines written so far. */
  logs: () => Record<string, unknown>[];
  /** SIGKILLs it (if still running), waits for it to exit, removes its directory. */
  stop: () => Promise<void>;
}

/**
 * Starts the built gateway (see buildIfStale) in a directory of its own, with the admin key
 * ADMIN_KEY, on a free 127.0.0.1 port, and waits until /health/live answers. Fails with the
 * process's output if it exits or does not come up in time.
 */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-gateway-'));
  writeFileSync(join(dir, 'switchyard.yaml'), JSON.stringify(options.config));
  const port = await closedPort();
  const child = spawn(process.execPath, [GATEWAY_MAIN], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      SWITCHYARD_CONFIG: join(dir, 'switchyard.yaml'),
      SWITCHYARD_DATA_DIR: join(dir, 'data'),
      SWITCHYARD_ADMIN_KEY: ADMIN_KEY,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Not left running if this process ends without stopping it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;
  const gateway: GatewayProcess = {
    child,
    url,
    baseURL: `${url}/v1`,
    output: () => out,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + (options.startMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await gateway.stop();
      throw new Error(`the gateway exited at start:\n${out}`);
    }
    const live = await fetch(`${url}/health/live`).catch(() => undefined);
    if (live?.status === 200) return gateway;
    await sleep(100);
  }
  await gateway.stop();
  throw new Error(`the gateway did not start within ${options.startMs ?? 60_000} ms:\n${out}`);
}
