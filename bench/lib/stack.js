'use strict';
/**
 * Starts the pieces under test as separate processes from the built `dist/`: fake backends and
 * gateways (and the remote router, once `dist/apps/router` exists).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, spawnNode, freePort, waitForHttp } = require('./children');

/**
 * Where the built code is run from. `snapshotDist()` points this at a private copy, so that a
 * concurrent `npm run build` (which empties dist/ first) cannot pull the code out from under a run,
 * and every scenario of one run measures the same build.
 */
let distDir = path.join(ROOT, 'dist');
const FAKE_MAIN = () => path.join(distDir, 'apps/fake-llm/src/main.js');
const GATEWAY_MAIN = () => path.join(distDir, 'apps/gateway/src/main.js');
const ROUTER_MAIN = () => path.join(distDir, 'apps/router/src/main.js');
/** Plain JS in bench/lib, not part of the build: run from where it is. */
const REFERENCE_MAIN = path.join(__dirname, 'reference-relay.js');

/**
 * Copies dist/ to bench/.tmp/dist-<pid> (inside the repository, so node_modules and
 * libs/contracts/proto still resolve from there) and runs everything from the copy.
 */
function snapshotDist() {
  const target = path.join(ROOT, 'bench', '.tmp', `dist-${process.pid}`);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.cpSync(path.join(ROOT, 'dist'), target, { recursive: true, filter: (src) => !src.endsWith('.map') });
  distDir = target;
  return target;
}

function removeSnapshot() {
  if (distDir !== path.join(ROOT, 'dist')) fs.rmSync(distDir, { recursive: true, force: true });
  distDir = path.join(ROOT, 'dist');
  try {
    fs.rmdirSync(path.join(ROOT, 'bench', '.tmp')); // only when empty: a concurrent run may still use it
  } catch {
    // not empty or already gone
  }
}

/** The model each fake serves: `m` answers at once, `m-paced` streams at the fake's TTFT/cadence. */
const MODEL_FAST = 'm';
const MODEL_PACED = 'm-paced';
/** Twenty words -> twenty content chunks from the fake (the unit the stream targets are per), so a paced stream spans 19 gaps. */
const PACED_CHUNKS = 20;
const PACED_REPLY = Array.from({ length: PACED_CHUNKS }, (_, i) => `w${i + 1}`).join(' ');

/** The benchmark's one request: a short user message to `model`, streamed or not. */
function chatBody(model, stream = false) {
  return JSON.stringify({ model, ...(stream ? { stream: true } : {}), messages: [{ role: 'user', content: 'hello benchmark' }] });
}

/** JSON with the admin key as a Bearer token: what every benchmark request sends. */
function benchHeaders(adminKey) {
  return { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` };
}

function checkBuilt() {
  const missing = [FAKE_MAIN(), GATEWAY_MAIN()].filter((f) => !fs.existsSync(f));
  if (missing.length > 0) throw new Error(`not built: ${missing.map((f) => path.relative(ROOT, f)).join(', ')} — run \`npm run build\` first`);
}

const routerAvailable = () => fs.existsSync(ROUTER_MAIN());

/** Whether the built gateway reads an env var at all: a search of dist/apps/gateway and dist/libs for `env.NAME` / `env['NAME']`. */
function gatewayMentions(name) {
  const reads = new RegExp(`env\\.${name}\\b|env\\[['"\`]${name}['"\`]\\]`);
  const dirs = [path.join(distDir, 'apps/gateway'), path.join(distDir, 'libs')];
  const stack = dirs.filter((d) => fs.existsSync(d));
  let visited = 0;
  while (stack.length > 0 && visited < 5000) {
    const dir = stack.pop();
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      visited++;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith('.js') && reads.test(fs.readFileSync(p, 'utf8'))) return true;
    }
  }
  return false;
}

/** A private scratch directory for config files and the gateway's data dir; removed at the end. */
function makeWorkDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
}

/** One fake-llm (OpenAI protocol) as a child; resolves once it prints its listening address. */
async function startFake(name, { ttftMs = 0, interChunkMs = 0, models = [MODEL_FAST], reply } = {}) {
  const args = [FAKE_MAIN(), '--protocol', 'openai', '--host', '127.0.0.1', '--port', '0', '--models', models.join(',')];
  // Recording requests costs memory and time in the floor we compare against: off.
  args.push('--max-recorded', '0');
  if (ttftMs > 0) args.push('--ttft-ms', String(ttftMs));
  if (interChunkMs > 0) args.push('--inter-chunk-ms', String(interChunkMs));
  if (reply !== undefined) args.push('--reply', reply);
  const child = spawnNode(name, args, { PATH: process.env.PATH, NODE_ENV: 'production' });
  const m = await child.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:(\d+))/, 10000);
  return { name, child, origin: m[1], port: Number(m[2]), baseUrl: `${m[1]}/v1` };
}

/**
 * The gateway config for every scenario: the zero-latency fake serves `m`, the paced one
 * `m-paced`. Pools are sized for the streaming test, whose concurrency would otherwise queue
 * behind the default 64 connections and measure the pool rather than the relay.
 */
function writeGatewayConfig(workDir, fast, paced, streamConcurrency, overrides = {}, name = 'bench') {
  const config = {
    // Every simulated client shares 127.0.0.1: the per-address cap on connections that have not
    // authenticated yet (64) would refuse a burst of 1,000 new streams as one abusive address.
    server: { bodyLimitBytes: 1048576, unauthenticatedConnectionsPerAddress: 0 },
    backends: [
      // costPerHour gives the tenant-limits scenario's budgets a price to charge (routing is unchanged: one target).
      { name: 'bench-fast', protocol: 'openai', baseUrl: fast.baseUrl, tier: 'local', models: [MODEL_FAST], maxConcurrency: 256, costPerHour: 0.5 },
      {
        name: 'bench-paced',
        protocol: 'openai',
        baseUrl: paced.baseUrl,
        tier: 'local',
        models: [MODEL_PACED],
        maxConcurrency: Math.min(10_000, streamConcurrency + 64),
        timeouts: { connectMs: 5000, firstByteMs: 30000, idleMs: 30000, totalMs: 120000 },
      },
    ],
    models: [],
    ...overrides,
  };
  const file = path.join(workDir, `switchyard.${name}.json.yaml`);
  // YAML is a superset of JSON: the gateway's loader reads this as is.
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/**
 * A gateway child on a fresh port. `extraEnv` carries REDIS_URL / DATABASE_URL / ROUTER_URL;
 * `nodeArgs` e.g. --cpu-prof for the profiling run.
 */
async function startGateway(name, { configFile, adminKey, workDir, extraEnv = {}, nodeArgs = [], main = GATEWAY_MAIN() }) {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    SWITCHYARD_CONFIG: configFile,
    SWITCHYARD_ADMIN_KEY: adminKey,
    SWITCHYARD_DATA_DIR: path.join(workDir, `data-${name}`),
    // Per-request info lines (one per upstream attempt) would measure pino and the pipe, not the relay.
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const child = spawnNode(name, [...nodeArgs, main], env);
  const origin = `http://127.0.0.1:${port}`;
  // Start-up (PGlite among it) takes ~25 s when other processes keep both cores busy.
  await waitForHttp(`${origin}/health/live`, child, 60000);
  return { name, child, origin, port, pids: [child.pid] };
}

/**
 * The remote router (ROUTER_URL mode): a gRPC service on ROUTER_GRPC_PORT that prints
 * "Switchyard router on <address>" once it listens. The gateway takes it as ROUTER_URL=host:port.
 */
async function startRouter(name, { configFile, adminKey, workDir, nodeArgs = [], main = ROUTER_MAIN() }) {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    ROUTER_GRPC_PORT: String(port),
    SWITCHYARD_CONFIG: configFile,
    SWITCHYARD_ADMIN_KEY: adminKey,
    SWITCHYARD_DATA_DIR: path.join(workDir, `data-${name}`),
    LOG_LEVEL: 'warn',
  };
  const child = spawnNode(name, [...nodeArgs, main], env);
  await child.waitForOutput(/Switchyard router on/, 20000);
  return { name, child, port, url: `127.0.0.1:${port}` };
}

/**
 * The reference relay (bench/lib/reference-relay.js): a plain NestJS-on-Fastify controller that
 * relays to `upstream` (a fake from startFake) over an undici Pool, on a fresh loopback port.
 */
async function startReferenceRelay(name, upstream, { nodeArgs = [] } = {}) {
  const port = await freePort();
  const env = { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', UPSTREAM: upstream.origin };
  const child = spawnNode(name, [...nodeArgs, REFERENCE_MAIN], env);
  const m = await child.waitForOutput(/reference relay listening on (http:\/\/127\.0\.0\.1:(\d+))/, 20000);
  return { name, child, origin: m[1], port: Number(m[2]), pids: [child.pid] };
}

/**
 * A tenant and one key in the gateway's database, through the built store (the admin API's own
 * code path), with limits and budgets far above what the bench sends: every request is counted,
 * none refused. Returns { key, remove() }.
 */
async function createTenantKey({ databaseUrl, secret, name }) {
  const store = require(path.join(distDir, 'libs/store/src/index.js'));
  const db = await store.openDatabase({ url: databaseUrl });
  await store.migrate(db);
  const tenants = new store.SqlTenantStore(db);
  const tenant = await tenants.create({
    name,
    limits: { rpm: 100_000_000, tpm: 1_000_000_000_000 },
    budgets: { dailyUsd: 1_000_000, monthlyUsd: 10_000_000 },
  });
  const issued = await new store.SqlKeyStore(db, secret).create(tenant.id, {
    name: 'bench',
    limits: { rpm: 100_000_000, tpm: 1_000_000_000_000 },
    budgets: { monthlyUsd: 10_000_000 },
  });
  return {
    key: issued.key,
    async remove() {
      await tenants.delete(tenant.id);
      await db.close();
    },
  };
}

module.exports = {
  createTenantKey,
  MODEL_FAST,
  MODEL_PACED,
  PACED_REPLY,
  PACED_CHUNKS,
  chatBody,
  benchHeaders,
  checkBuilt,
  snapshotDist,
  removeSnapshot,
  routerAvailable,
  gatewayMentions,
  makeWorkDir,
  startFake,
  writeGatewayConfig,
  startGateway,
  startRouter,
  startReferenceRelay,
};
