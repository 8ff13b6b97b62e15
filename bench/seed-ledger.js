'use strict';
/**
 * Usage analytics at scale: seeds N ledger records (default 1,000,000) spread over the last 30
 * days into PostgreSQL (DATABASE_URL), through the built SqlLedgerSink — the gateway's own insert
 * path, rows and hourly rollups in one statement per batch — then starts a gateway on that
 * database and times `GET /admin/v1/usage?group_by=day,model` over HTTP. Target: ≤ 200 ms.
 *
 *   npm run build
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node bench/seed-ledger.js [--records 1000000] [--runs 20] [--schema name] [--keep] [--reuse]
 *
 * Everything goes into a schema of its own (`sy_bench_<random>` unless --schema), dropped at the
 * end unless --keep. `--reuse` times a schema an earlier `--keep` run seeded, without seeding. Talks only to the database given and to the gateway it starts on 127.0.0.1.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PassThrough } = require('node:stream');
const { randomBytes } = require('node:crypto');

const DIST = path.join(__dirname, '..', 'dist');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TARGET_MS = 200;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const RECORDS = Number(option('records', '1000000'));
const RUNS = Number(option('runs', '20'));
const SCHEMA = option('schema', `sy_bench_${randomBytes(6).toString('hex')}`);
const REUSE = process.argv.includes('--reuse');
const KEEP = REUSE || process.argv.includes('--keep');

const log = (text) => process.stderr.write(`${text}\n`);

/** A small deterministic generator, so two runs seed the same ledger. */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TENANTS = Array.from({ length: 8 }, (_, i) => `tnt_bench_${i + 1}`);
const MODELS = ['chat', 'chat-large', 'code', 'embed'];
const BACKENDS = [
  { name: 'local-ollama', tier: 'local', usdPerMTokens: 0 },
  { name: 'vllm', tier: 'local', usdPerMTokens: 0.05 },
  { name: 'openai', tier: 'cloud', usdPerMTokens: 0.6 },
  { name: 'anthropic', tier: 'cloud', usdPerMTokens: 3 },
];
const REFERENCE_USD_PER_MTOKENS = 0.6;

/** Record `n` of the seeded ledger: a tenant, key, model and backend, tokens and their cost, at a time in the last 30 days. */
function record(n, now, next) {
  const tenant = TENANTS[Math.floor(next() * TENANTS.length)];
  const backend = BACKENDS[Math.floor(next() * BACKENDS.length)];
  const model = MODELS[Math.floor(next() * MODELS.length)];
  const input = 20 + Math.floor(next() * 2000);
  const output = model === 'embed' ? 0 : Math.floor(next() * 800);
  const failed = next() < 0.02;
  const tokens = input + output;
  return {
    requestId: `bench-${n}`,
    // Within the default window of /admin/v1/usage (30 days up to now), an hour clear of its edge.
    startedAt: Math.floor(now - HOUR - next() * (30 * DAY - 2 * HOUR)),
    principal: { tenantId: tenant, keyId: `${tenant}_key${n % 2}`, scopes: ['inference'] },
    endpoint: model === 'embed' ? '/v1/embeddings' : '/v1/chat/completions',
    model,
    route: model,
    backend: backend.name,
    tier: backend.tier,
    attempts: [{ backend: backend.name, model, outcome: failed ? 'server_error' : 'ok', status: failed ? 500 : 200, ms: 50 + Math.floor(next() * 900) }],
    status: failed ? 502 : 200,
    errorCode: failed ? 'upstream_error' : undefined,
    inputTokens: input,
    outputTokens: output,
    streamed: next() < 0.5,
    ttftMs: 20 + Math.floor(next() * 300),
    latencyMs: 60 + Math.floor(next() * 1500),
    pii: [],
    costUsd: (tokens * backend.usdPerMTokens) / 1e6,
    referenceCostUsd: (tokens * REFERENCE_USD_PER_MTOKENS) / 1e6,
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Writes RECORDS records through the sink, in bounded memory; returns the seconds it took. */
async function seed(db, SqlLedgerSink, dataDir) {
  const problems = [];
  const sinkLog = { info: () => undefined, warn: (o, m) => problems.push(m), error: (o, m) => problems.push(m) };
  const sink = new SqlLedgerSink(db, { spoolDir: path.join(dataDir, 'ledger-spool'), log: sinkLog });
  const now = Date.now();
  const next = random(42);
  const started = Date.now();
  log(`seeding ${RECORDS.toLocaleString('en')} records into schema ${SCHEMA} through SqlLedgerSink (batches of 500)...`);
  const CHUNK = 5_000;
  for (let n = 0; n < RECORDS; n += CHUNK) {
    const chunk = [];
    for (let i = n; i < Math.min(n + CHUNK, RECORDS); i++) chunk.push(record(i, now, next));
    await sink.write(chunk);
    // Bounded memory: wait for the sink now and then rather than queue a million records.
    if (sink.stats().queued >= 50_000) await sink.flush();
    if ((n / CHUNK) % 40 === 0 && n > 0) log(`  ${n.toLocaleString('en')} (${Math.round(n / ((Date.now() - started) / 1000)).toLocaleString('en')}/s)`);
  }
  await sink.close();
  if (problems.length > 0) throw new Error(`the sink reported: ${problems.slice(0, 3).join('; ')}`);
  const seconds = (Date.now() - started) / 1000;
  log(`seeded in ${seconds.toFixed(1)} s (${Math.round(RECORDS / seconds).toLocaleString('en')} records/s)`);
  return seconds;
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL to the PostgreSQL to seed (a schema of its own is made there and dropped afterwards)');
  if (!fs.existsSync(path.join(DIST, 'libs/store/src/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  if (!Number.isSafeInteger(RECORDS) || RECORDS <= 0) throw new Error('--records must be a positive whole number');

  const { openDatabase, migrate, SqlLedgerSink } = require(path.join(DIST, 'libs/store/src'));
  const { createGateway } = require(path.join(DIST, 'apps/gateway/src/gateway.factory'));
  const { parseConfig } = require(path.join(DIST, 'libs/contracts/src'));
  const { createLogger } = require(path.join(DIST, 'libs/telemetry/src'));

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-ledger-'));
  // The gateway's own ledger spools under the data dir should the database fail: keep it off ./data.
  process.env.SWITCHYARD_DATA_DIR = dataDir;
  const db = await openDatabase({ url, schema: SCHEMA, poolSize: 4 });
  let app;
  const cleanup = async () => {
    await app?.close().catch(() => undefined);
    if (!KEEP) await db.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await db.close().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    await migrate(db);
    let seedSeconds;
    if (!REUSE) seedSeconds = await seed(db, SqlLedgerSink, dataDir);
    const [{ rows }] = await db.query('SELECT count(*)::bigint AS rows FROM usage_ledger');
    const [{ hourly }] = await db.query('SELECT count(*)::bigint AS hourly FROM usage_hourly');
    if (Number(rows) !== RECORDS) throw new Error(`the ledger holds ${rows} rows, not ${RECORDS}`);
    log(`${rows} ledger rows, ${hourly} hourly rollup rows`);
    // As autovacuum would have by then (it may be off on a test server): the rollups' updated rows cleaned up, statistics fresh.
    await db.exec('VACUUM ANALYZE usage_hourly');

    const config = parseConfig(
      'backends:\n  - { name: local, protocol: openai, baseUrl: "http://127.0.0.1:9/v1", tier: local, models: [m] }\nmodels:\n  - { name: chat, targets: [{ backend: local, model: m }] }\n',
      {},
      'bench',
    );
    const adminKey = `sy-admin-bench-${randomBytes(12).toString('hex')}`;
    app = await createGateway({
      config,
      adminKey,
      logger: createLogger({ destination: new PassThrough().resume() }),
      database: db,
      serverSecret: randomBytes(32).toString('hex'),
    });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address();
    const target = `http://127.0.0.1:${port}/admin/v1/usage?group_by=day,model`;
    const timings = [];
    let body;
    for (let i = 0; i <= RUNS; i++) {
      const t0 = performance.now();
      const res = await fetch(target, { headers: { authorization: `Bearer ${adminKey}` } });
      body = await res.json();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`GET /admin/v1/usage answered ${res.status}: ${JSON.stringify(body)}`);
      timings.push(ms);
    }
    if (!REUSE && body.totals.requests !== RECORDS) throw new Error(`the usage API counts ${body.totals.requests} requests, not ${RECORDS}`);
    const [cold, ...warm] = timings;
    const sorted = [...warm].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p95 = percentile(sorted, 95);
    const fmt = (ms) => `${ms.toFixed(1)} ms`;
    process.stdout.write(
      [
        `GET /admin/v1/usage?group_by=day,model over ${RECORDS.toLocaleString('en')} ledger records (${body.data.length} rows, ${hourly} hourly rollup rows scanned at most), PostgreSQL:`,
        `  first ${fmt(cold)}, then ${warm.length} runs: median ${fmt(p50)}, p95 ${fmt(p95)}, max ${fmt(sorted[sorted.length - 1])}`,
        `  target <= ${TARGET_MS} ms (median): ${p50 <= TARGET_MS ? 'met' : 'MISSED'}`,
        seedSeconds === undefined
          ? '  (seeded earlier)'
          : `  seeding: ${Math.round(RECORDS / seedSeconds).toLocaleString('en')} records/s through SqlLedgerSink`,
        `  load average while timing: ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs`,
        '',
      ].join('\n'),
    );
    if (p50 > TARGET_MS) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  process.stderr.write(`seed-ledger: ${err.message}\n`);
  process.exit(1);
});
