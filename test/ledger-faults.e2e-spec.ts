import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { CREDENTIALS_TTL_MS, LEDGER_SINK, openDatabase, SqlKeyStore, SqlTenantStore, type Database, type LedgerSink } from '@switchyard/store';
import { ADMIN_KEY, startStack, TEST_SERVER_SECRET, type Stack } from './support/stack';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

// PostgreSQL made unreachable in the middle of a load and brought back: the gateway's database
// connection runs through a TCP proxy the test cuts (every connection dropped, new ones refused)
// and restores. Requests go on being answered while the ledger spools to the data dir, the spool
// is replayed when the database answers again, and afterwards the ledger holds exactly one row per
// request sent, and the hourly rollups add up to the rows. About half a second a request, ten at
// a time: the load lasts some fifteen seconds, the outage five of them.
// Needs PostgreSQL: DATABASE_URL, or the local default. Without one this suite fails, saying so.

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REQUESTS = 300;
const CONCURRENCY = 10;
const CUT_AT = 100;
const RESTORE_AT = 200;
/** Longer than the gateway holds what it reads of the database (a tenant's provider keys): requests answered during it needed none of it. */
const OUTAGE_MS = CREDENTIALS_TTL_MS + 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Family {
  name: string;
  metrics: { value?: string }[];
}
const parsePrometheus = require('parse-prometheus-text-format') as (text: string) => Family[];

/** What the client saw of one request. */
interface Sent {
  requestId: string;
  streamed: boolean;
  ok: boolean;
  error?: string;
  inputTokens?: number;
  outputTokens?: number;
}

/** Waits (bounded) until `done` holds; false when `ms` passed first. */
async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

describe(`the usage ledger while PostgreSQL goes away and comes back (${new URL(DATABASE_URL).host})`, () => {
  const schema = `sy_faults_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const run = randomUUID().slice(0, 8);
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-ledger-faults-'));
  const spoolDir = join(dataDir, 'ledger-spool');
  let direct: Database;
  let proxy: TcpProxy;
  let proxied: Database;
  let stack: Stack;
  let sink: LedgerSink;

  beforeAll(async () => {
    try {
      direct = await openDatabase({ url: DATABASE_URL, schema, poolSize: 2 });
    } catch (err) {
      throw new Error(`this suite needs PostgreSQL at ${new URL(DATABASE_URL).host} (set DATABASE_URL): ${(err as Error).message}`);
    }
    const target = new URL(DATABASE_URL);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const through = new URL(DATABASE_URL);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    proxied = await openDatabase({ url: through.toString(), schema, poolSize: 4 });
    stack = await startStack({
      database: proxied,
      dataDir,
      backends: [{ name: 'local', protocol: 'openai', tier: 'local', models: ['m'], fake: { latencyMs: 500, ttftMs: 200, interChunkMs: 50 } }],
      models: [{ name: 'chat', targets: [{ backend: 'local', model: 'm' }] }],
      // Small batches often: the cut is noticed, and the spool grows, while the load runs.
      usage: { flushMs: 100 },
      policy: { health: { intervalMs: 60_000 } },
    });
    sink = stack.app.get<LedgerSink>(LEDGER_SINK);
  });

  afterAll(async () => {
    await stack?.close();
    await proxied?.close();
    await proxy?.close();
    if (direct) {
      await direct.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await direct.close();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function spoolBytes(): Promise<number> {
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    const family = parsePrometheus(text).find((f) => f.name === 'switchyard_ledger_spool_bytes');
    return Number(family?.metrics[0]?.value ?? 0);
  }

  it('answers every request during the outage, and keeps exactly one record of each once the database is back', async () => {
    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: ADMIN_KEY, maxRetries: 0, timeout: 10_000 });
    const sent: Sent[] = [];
    let next = 0;
    let finished = 0;

    const one = async (i: number): Promise<Sent> => {
      const requestId = `faults-${run}-${String(i).padStart(3, '0')}`;
      const streamed = i % 2 === 0;
      const messages = [{ role: 'user' as const, content: `request number ${i}` }];
      const headers = { 'x-request-id': requestId };
      try {
        if (streamed) {
          const stream = await client.chat.completions.create({ model: 'chat', stream: true, stream_options: { include_usage: true }, messages }, { headers });
          let usage: OpenAI.CompletionUsage | undefined;
          for await (const chunk of stream) usage ??= chunk.usage ?? undefined;
          return { requestId, streamed, ok: usage !== undefined, inputTokens: usage?.prompt_tokens, outputTokens: usage?.completion_tokens };
        }
        const answer = await client.chat.completions.create({ model: 'chat', messages }, { headers });
        return { requestId, streamed, ok: true, inputTokens: answer.usage?.prompt_tokens, outputTokens: answer.usage?.completion_tokens };
      } catch (err) {
        return { requestId, streamed, ok: false, error: (err as Error).message };
      }
    };
    const worker = async (): Promise<void> => {
      while (next < REQUESTS) {
        sent.push(await one(next++));
        finished++;
      }
    };
    const startedAt = Date.now();
    const load = Promise.all(Array.from({ length: CONCURRENCY }, worker));

    // The cut, a third of the way in, with requests in flight.
    expect(await until(() => finished >= CUT_AT, 20_000)).toBe(true);
    await proxy.cut();
    const cutAt = Date.now();
    const finishedAtCut = finished;
    // While the database is away: the ledger spools to the data dir and /metrics says how much.
    let spooled = 0;
    const spoolFiles = new Set<string>();
    const watchUntil = Date.now() + 20_000;
    while ((spooled === 0 || finished < RESTORE_AT || Date.now() - cutAt < OUTAGE_MS) && Date.now() < watchUntil) {
      spooled = Math.max(spooled, await spoolBytes());
      if (existsSync(spoolDir)) for (const f of readdirSync(spoolDir)) spoolFiles.add(f);
      await sleep(50);
    }
    // Back some two thirds of the way in, while the load still runs.
    const outageMs = Date.now() - cutAt;
    await proxy.restore();
    const finishedAtRestore = finished;
    await load;
    const loadMs = Date.now() - startedAt;

    // Every request was answered in full, the outage notwithstanding.
    expect(sent.filter((s) => !s.ok)).toEqual([]);
    expect(sent).toHaveLength(REQUESTS);
    expect(spooled).toBeGreaterThan(0);
    expect([...spoolFiles].some((f) => f.startsWith(`ledger-${schema}-`) && f.endsWith('.ndjson'))).toBe(true);
    // The outage really was mid-load: requests were answered during it and after it.
    expect(finishedAtRestore - finishedAtCut).toBeGreaterThanOrEqual(RESTORE_AT - CUT_AT - CONCURRENCY);
    expect(finishedAtRestore).toBeLessThan(REQUESTS);
    expect(outageMs).toBeGreaterThanOrEqual(OUTAGE_MS);
    expect(loadMs).toBeLessThan(30_000);

    // Nothing left in memory or on disk: the spool has been replayed into the database.
    const drained = await until(() => {
      const s = sink.stats!();
      return s.queued === 0 && s.spooledRecords === 0 && s.spoolBytes === 0;
    }, 25_000);
    expect({ drained, stats: sink.stats!() }).toEqual({ drained: true, stats: { queued: 0, spooledRecords: 0, spoolBytes: 0 } });
    await sink.flush();
    expect(readdirSync(spoolDir).filter((f) => f.endsWith('.ndjson'))).toEqual([]);
    const ledgerLog = stack
      .logs()
      .filter((l) => l.component === 'ledger')
      .map((l) => l.msg);
    expect(ledgerLog).toContain('ledger: the database cannot take records; spooling them to disk');
    expect(ledgerLog).toContain('ledger: spool replayed; writing to the database again');

    // Read back over a connection of its own, not the gateway's.
    const rows = await direct.query<{ request_id: string; n: number; status: number; streamed: boolean; input_tokens: number; output_tokens: number }>(
      `SELECT request_id, count(*)::int AS n, min(status)::int AS status, bool_and(streamed) AS streamed,
              sum(input_tokens)::int AS input_tokens, sum(output_tokens)::int AS output_tokens
       FROM usage_ledger GROUP BY request_id`,
    );
    expect(rows.filter((r) => r.n !== 1)).toEqual([]);
    expect(rows.map((r) => r.request_id).sort()).toEqual(sent.map((s) => s.requestId).sort());
    // Each record is the request's own: its status and the tokens the client was told.
    const byId = new Map(rows.map((r) => [r.request_id, r]));
    const mismatched = sent.filter((s) => {
      const r = byId.get(s.requestId)!;
      return r.status !== 200 || r.streamed !== s.streamed || r.input_tokens !== s.inputTokens || r.output_tokens !== s.outputTokens;
    });
    expect(mismatched).toEqual([]);

    // The rollups hold what the rows hold, group by group.
    const fromRows = await direct.query(
      `SELECT date_trunc('hour', created_at, 'UTC') AS hour, coalesce(tenant_id, '') AS tenant_id, coalesce(key_id, '') AS key_id,
              coalesce(model, '') AS model, coalesce(backend, '') AS backend, coalesce(tier, '') AS tier,
              count(*)::int AS requests, count(*) FILTER (WHERE status >= 400)::int AS errors,
              sum(input_tokens)::int AS input_tokens, sum(output_tokens)::int AS output_tokens
       FROM usage_ledger GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`,
    );
    const rollups = await direct.query(
      `SELECT hour, tenant_id, key_id, model, backend, tier, requests::int AS requests, errors::int AS errors,
              input_tokens::int AS input_tokens, output_tokens::int AS output_tokens
       FROM usage_hourly ORDER BY 1, 2, 3, 4, 5, 6`,
    );
    expect(rollups).toEqual(fromRows);
    const total = (key: 'inputTokens' | 'outputTokens') => sent.reduce((n, s) => n + (s[key] ?? 0), 0);
    const [sums] = await direct.query<{ requests: number; input_tokens: number; output_tokens: number }>(
      'SELECT sum(requests)::int AS requests, sum(input_tokens)::int AS input_tokens, sum(output_tokens)::int AS output_tokens FROM usage_hourly',
    );
    expect(sums).toEqual({ requests: REQUESTS, input_tokens: total('inputTokens'), output_tokens: total('outputTokens') });
  }, 60_000);

  it('keeps serving tenant keys in use while the key store is away, and answers 503 (not 500) to a key it never saw', async () => {
    const tenant = await new SqlTenantStore(direct).create({ name: `faults-${run}` });
    const apiKeys = new SqlKeyStore(direct, TEST_SERVER_SECRET);
    const used = (await apiKeys.create(tenant.id, { name: 'used' }))!.key;
    const unseen = (await apiKeys.create(tenant.id, { name: 'unseen' }))!.key;
    const ask = (key: string) =>
      fetch(`${stack.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'during the outage' }] }),
      });
    expect((await ask(used)).status).toBe(200);
    await proxy.cut();
    try {
      // Past every cache of what was read from the database.
      await sleep(OUTAGE_MS);
      expect((await ask(used)).status).toBe(200);
      const refused = await ask(unseen);
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual({ error: expect.objectContaining({ type: 'server_error', code: 'store_unavailable' }) as unknown });
    } finally {
      await proxy.restore();
    }
    expect((await ask(unseen)).status).toBe(200);
  }, 30_000);
});
