import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import { openDatabase } from '@switchyard/store';
import { buildIfStale } from './support/gateway-process';
import { ADMIN_KEY, closedPort } from './support/stack';

// SIGTERM to the built gateway, a real OS process, while streams are in flight: readiness goes 503
// at once, new connections are refused, the streams finish, the process exits 0 within the drain
// time; at the deadline whatever is still open is cut. Nothing is lost: after the process has
// exited, its embedded database (PGlite under its data dir) holds one ledger record per request.

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'dist', 'apps', 'gateway', 'src', 'main.js');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

interface LedgerRow {
  request_id: string;
  status: number;
  error_code: string | null;
  streamed: boolean;
  input_tokens: number | null;
  output_tokens: number | null;
  tokens_counted: boolean | null;
}

/** The usage a stream reported in its last chunk before `[DONE]` (`stream_options.include_usage`). */
function streamUsage(text: string): Usage | undefined {
  for (const event of text.split('\n\n')) {
    const data = event.trim().replace(/^data: /, '');
    if (!data.startsWith('{')) continue;
    const chunk = JSON.parse(data) as { usage?: Usage | null };
    if (chunk.usage) return chunk.usage;
  }
  return undefined;
}

interface Gateway {
  child: ChildProcess;
  url: string;
  port: number;
  /** SWITCHYARD_DATA_DIR: the embedded database, with the usage ledger, is under it. */
  dataDir: string;
  /** Resolves with the exit code (or the signal that ended it) and when it came. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** The JSON log lines written so far. */
  logs: () => Record<string, unknown>[];
}

/** A stream in flight: `started` once its first chunk is in, `done` with everything it received (or how it broke). */
interface OpenStream {
  requestId: string;
  started: Promise<void>;
  done: Promise<{ text: string; error?: string }>;
}

describe('graceful drain of the gateway process', () => {
  let fake: FakeLlm;
  const dirs: string[] = [];
  const running: Gateway[] = [];
  const run = randomUUID().slice(0, 8);
  let n = 0;
  const nextId = (what: string) => `drain-${run}-${what}-${++n}`;

  beforeAll(async () => {
    // The suite runs what `npm start` runs: the build of the current sources.
    await buildIfStale();
    // 40 words, 100 ms apart: a stream lasts about 4 s.
    fake = await startFakeLlm({ protocol: 'openai', models: ['m'], interChunkMs: 100, reply: Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ') });
  }, 180_000);
  afterAll(async () => {
    for (const g of running) if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill('SIGKILL');
    await fake?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function startGateway(drainTimeoutMs: number): Promise<Gateway> {
    const dir = mkdtempSync(join(tmpdir(), 'sy-drain-'));
    dirs.push(dir);
    const config = {
      backends: [{ name: 'local', protocol: 'openai', baseUrl: fake.baseUrl, tier: 'local', models: ['m'] }],
      models: [{ name: 'chat', targets: [{ backend: 'local', model: 'm' }] }],
      server: { drainTimeoutMs },
    };
    writeFileSync(join(dir, 'switchyard.yaml'), JSON.stringify(config));
    const dataDir = join(dir, 'data');
    const port = await closedPort();
    const child = spawn(process.execPath, [MAIN], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        SWITCHYARD_CONFIG: join(dir, 'switchyard.yaml'),
        SWITCHYARD_DATA_DIR: dataDir,
        SWITCHYARD_ADMIN_KEY: ADMIN_KEY,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    const gateway: Gateway = {
      child,
      port,
      dataDir,
      url: `http://127.0.0.1:${port}`,
      exited,
      logs: () =>
        out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>),
    };
    running.push(gateway);
    // A start takes a few seconds; on a machine other work keeps busy, several times that.
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      if (child.exitCode !== null) throw new Error(`the gateway exited at start:\n${out}`);
      const live = await fetch(`${gateway.url}/health/live`).catch(() => undefined);
      if (live?.status === 200) return gateway;
      await sleep(100);
    }
    throw new Error(`the gateway did not start within 60 s:\n${out}`);
  }

  function openStream(g: Gateway): OpenStream {
    const requestId = nextId('stream');
    let started!: () => void;
    const first = new Promise<void>((resolve) => (started = resolve));
    const done = (async () => {
      let text = '';
      try {
        const res = await fetch(`${g.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'x-request-id': requestId },
          body: JSON.stringify({
            model: 'chat',
            stream: true,
            stream_options: { include_usage: true },
            messages: [{ role: 'user', content: 'stream please' }],
          }),
        });
        const reader = res.body!.getReader();
        for (;;) {
          const { done: end, value } = await reader.read();
          if (end) break;
          text += Buffer.from(value).toString();
          if (text.includes('data: ')) started();
        }
        return { text };
      } catch (err) {
        started();
        return { text, error: (err as Error).message };
      }
    })();
    return { requestId, started: first, done };
  }

  /** A whole non-streamed answer, with its usage. */
  async function ask(g: Gateway): Promise<{ requestId: string; status: number; usage?: Usage }> {
    const requestId = nextId('plain');
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'answer please' }] }),
    });
    const body = (await res.json()) as { usage?: Usage };
    return { requestId, status: res.status, usage: body.usage };
  }

  /** The ledger of a gateway that has exited, read from its embedded database: each request id's records. */
  async function ledgerOf(g: Gateway, ids: string[]): Promise<Map<string, LedgerRow[]>> {
    const db = await openDatabase({ dataDir: g.dataDir });
    try {
      const rows = await db.query<LedgerRow>(
        'SELECT request_id, status, error_code, streamed, input_tokens, output_tokens, tokens_counted FROM usage_ledger WHERE request_id = ANY($1::text[])',
        [ids],
      );
      return new Map(ids.map((id) => [id, rows.filter((r) => r.request_id === id)]));
    } finally {
      await db.close();
    }
  }

  /** A connection on which a readiness request has begun (its headers not yet complete) before the drain: `finish` sends the rest and reads the answer. */
  async function readinessInFlight(g: Gateway): Promise<{ finish: () => Promise<string> }> {
    const socket = connect(g.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write('GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await sleep(100);
    return {
      finish: () =>
        new Promise<string>((resolve, reject) => {
          let answer = '';
          socket.on('data', (c: Buffer) => (answer += c.toString()));
          socket.once('end', () => resolve(answer));
          socket.once('close', () => resolve(answer));
          socket.once('error', reject);
          socket.write('Connection: close\r\n\r\n');
        }),
    };
  }

  /**
   * Ready: its embedded database open (the first probe opens it; requests would too, but the
   * first would wait seconds for it, longer than these tests' streams).
   */
  async function waitReady(g: Gateway): Promise<void> {
    for (let i = 0; i < 150; i++) {
      const res = await fetch(`${g.url}/health/ready`);
      const body = await res.text();
      if (res.status === 200) return;
      if (i === 149) throw new Error(`not ready: ${body}`);
      await sleep(200);
    }
  }

  it('on SIGTERM: readiness 503 draining at once, no new connections, every stream completes, exit 0 within the drain time, every request in the ledger', async () => {
    const g = await startGateway(15_000);
    await waitReady(g);
    // Answered before the signal; their records may still wait in the ledger's queue when it comes.
    const answered = [await ask(g), await ask(g)];
    for (const a of answered) expect(a.status).toBe(200);
    const streams = [openStream(g), openStream(g), openStream(g)];
    await Promise.all(streams.map((s) => s.started));
    const probe = await readinessInFlight(g);

    const signalled = Date.now();
    g.child.kill('SIGTERM');
    await sleep(200);

    const ready = await probe.finish();
    expect(ready).toMatch(/^HTTP\/1\.1 503 /);
    expect(JSON.parse(ready.slice(ready.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 'error', error: { draining: { status: 'down' } } });

    const fresh = await fetch(`${g.url}/health/live`).then(
      (res) => `status ${res.status}`,
      (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message,
    );
    expect(['ECONNREFUSED', 'status 503']).toContain(fresh);

    for (const s of streams) {
      const { text, error } = await s.done;
      expect(error).toBeUndefined();
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(text).toContain('w39');
    }
    const exit = await g.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalled).toBeLessThan(15_000);

    const drain = g.logs().filter((l) => l.component === 'drain');
    expect(drain[0]).toMatchObject({ signal: 'SIGTERM', inFlight: 3, timeoutMs: 15_000 });
    expect(drain[1]).toMatchObject({ inFlight: 3, cut: 0, finished: 3 });
    expect(drain.at(-1)).toMatchObject({ msg: 'closed' });

    // Every request has exactly one record, with the tokens its client was told.
    const told = new Map<string, { streamed: boolean; usage?: Usage }>([
      ...answered.map((a) => [a.requestId, { streamed: false, usage: a.usage }] as const),
      ...(await Promise.all(streams.map(async (s) => [s.requestId, { streamed: true, usage: streamUsage((await s.done).text) }] as const))),
    ]);
    const ledger = await ledgerOf(g, [...told.keys()]);
    for (const [requestId, { streamed, usage }] of told) {
      expect(usage).toBeDefined();
      expect({ requestId, records: ledger.get(requestId) }).toEqual({
        requestId,
        records: [
          expect.objectContaining({ status: 200, error_code: null, streamed, input_tokens: usage!.prompt_tokens, output_tokens: usage!.completion_tokens }),
        ],
      });
    }
  }, 150_000);

  it('at the deadline: cuts the stream still open, records it as a 499, and exits 0', async () => {
    const g = await startGateway(1_000);
    await waitReady(g);
    const stream = openStream(g);
    await stream.started;
    const signalled = Date.now();
    g.child.kill('SIGTERM');
    const exit = await g.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalled).toBeGreaterThanOrEqual(1_000);
    expect(exit.at - signalled).toBeLessThan(3_500);
    const { text } = await stream.done;
    expect(text).not.toContain('[DONE]');
    expect(g.logs().filter((l) => l.component === 'drain')[1]).toMatchObject({ inFlight: 1, cut: 1, finished: 0 });
    // The cut stream is recorded too: a client that went away, with what was relayed counted.
    const ledger = await ledgerOf(g, [stream.requestId]);
    expect(ledger.get(stream.requestId)).toEqual([expect.objectContaining({ status: 499, error_code: 'client_closed', streamed: true, tokens_counted: true })]);
    expect(ledger.get(stream.requestId)![0].output_tokens).toBeGreaterThan(0);
  }, 150_000);

  it('a second signal during the drain exits at once; one delivered twice does not', async () => {
    const g = await startGateway(20_000);
    await waitReady(g);
    const stream = openStream(g);
    await stream.started;
    g.child.kill('SIGINT');
    // The same signal again at once is one signal delivered twice (Ctrl-C under npm): the drain goes on.
    g.child.kill('SIGINT');
    await sleep(700);
    expect(g.child.exitCode).toBeNull();
    const signalled = Date.now();
    g.child.kill('SIGTERM');
    const exit = await g.exited;
    expect(exit.code).toBe(128 + 15);
    expect(exit.at - signalled).toBeLessThan(1_000);
    await stream.done;
  }, 150_000);
});
