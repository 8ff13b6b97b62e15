import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closedPort } from './stack';

// A real Redis Cluster on this machine for a test: three masters, no replicas, nothing persisted,
// on free 127.0.0.1 ports, made with the stock `redis-server` and `redis-cli --cluster create`.

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RedisCluster {
  /** The masters' ports. */
  ports: number[];
  /** What REDIS_URL takes for it: `redis+cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3`. */
  url: string;
  /** Kills every server it started (SIGKILL), waits for them, removes their files. */
  stop(): Promise<void>;
}

/** Runs `redis-cli` with `args`; its stdout. */
async function redisCli(args: string[], timeout = 20_000): Promise<string> {
  return (await run('redis-cli', args, { timeout })).stdout;
}

/**
 * Starts three cluster-enabled `redis-server`s, joins them into one cluster and waits until every
 * node says `cluster_state:ok`. Whatever fails, the servers started so far are killed before it
 * throws; they are also killed if this process exits without `stop`.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-redis-cluster-'));
  const children: ChildProcess[] = [];
  const output: string[] = [];
  const killAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const stop = async () => {
    killAll();
    await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)))));
    process.removeListener('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The cluster bus gets a free port of its own too: the default, port + 10000, may be out of range.
    const free = new Set<number>();
    for (let i = 0; i < 20 && free.size < 6; i++) free.add(await closedPort());
    if (free.size < 6) throw new Error('found no six free ports');
    const [p1, p2, p3, ...buses] = [...free];
    const ports = [p1, p2, p3];
    for (const [i, port] of ports.entries()) {
      const bus = buses[i];
      const child = spawn(
        'redis-server',
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-port', String(bus)],
          ...['--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.on('error', (err) => output.push(`redis-server: ${err.message}`));
      child.stdout.on('data', (c: Buffer) => output.push(c.toString()));
      child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
      children.push(child);
    }
    for (const port of ports) await until(`redis-server on ${port} to answer`, async () => (await redisCli(['-p', String(port), 'ping'])).trim() === 'PONG');
    await redisCli(['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) {
      await until(`node ${port} to see the cluster ok`, async () => (await redisCli(['-p', String(port), 'cluster', 'info'])).includes('cluster_state:ok'));
    }
    return { ports, url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, stop };
  } catch (err) {
    await stop();
    throw new Error(`could not start a Redis Cluster (redis-server and redis-cli must be installed): ${(err as Error).message}\n${output.join('')}`);
  }
}

/** Polls `check` every 100 ms for up to 10 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}
