#!/usr/bin/env node
'use strict';
/**
 * Switchyard benchmark harness: `npm run bench` (full) or `npm run bench -- --quick`.
 *
 * Everything runs on 127.0.0.1, each piece in its own process, from the built dist/. Progress goes
 * to stderr, the result table to stdout, and the results to bench/results/. See bench/README.md.
 */
const fs = require('node:fs');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { stopAll, killAllNow, portAnswers, sleep, live } = require('./lib/children');
const { cpuMicrosOf, rssOf, startRssSampler, startNoiseMeter, machineInfo } = require('./lib/procfs');
const stack = require('./lib/stack');
const { throughput, fixedRate } = require('./lib/load');
const { streamRound } = require('./lib/streams');
const { soak } = require('./lib/soak');
const { evaluate, renderText, renderMarkdown } = require('./lib/report');
const { startRedisProxy } = require('./lib/redis-proxy');
const peer = require('./lib/peer');

const RESULTS_DIR = path.join(__dirname, 'results');

// ---------------------------------------------------------------------------------------------
// Settings: --quick shortens everything; env knobs override either mode.
// ---------------------------------------------------------------------------------------------

function envNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number (got ${JSON.stringify(raw)})`);
  return n;
}

function settingsFrom(argv) {
  const unknown = argv.filter((a) => a !== '--quick');
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')} (only --quick is understood; the rest is env, see bench/README.md)`);
  const quick = argv.includes('--quick');
  const skip = new Set(
    (process.env.BENCH_SKIP ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  return {
    mode: quick ? 'quick' : 'full',
    loadSeconds: envNumber('BENCH_LOAD_SECONDS', quick ? 3 : 10),
    // The gateway needs ~4 s of load before V8 has optimised its hot path (first seconds: ~3x the CPU per request).
    warmupSeconds: quick ? 3 : 5,
    connections: envNumber('BENCH_CONNECTIONS', 50),
    rate: envNumber('BENCH_RATE', 1000),
    streams: envNumber('BENCH_STREAMS', quick ? 200 : 1000),
    streamRampMs: envNumber('BENCH_STREAM_RAMP_MS', 2000),
    ttftMs: 50,
    interChunkMs: 20,
    soakSeconds: envNumber('BENCH_SOAK_SECONDS', quick ? 20 : 600),
    soakRate: envNumber('BENCH_SOAK_RATE', 200),
    soakStreamEvery: 10,
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    skip,
  };
}

/** Our own processes (this one and every live child): what the noise meter must not count as foreign. */
const ownPids = () => [process.pid, ...[...live].map((c) => c.pid)];
const noiseMeter = () => startNoiseMeter(ownPids);

const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

// ---------------------------------------------------------------------------------------------
// Cleanup on every exit path.
// ---------------------------------------------------------------------------------------------

let workDir;
let cleaning;
async function cleanup() {
  if (cleaning) return cleaning;
  cleaning = (async () => {
    await stopAll(3000);
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    stack.removeSnapshot();
  })();
  return cleaning;
}
process.on('exit', killAllNow);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    log(`${sig}: stopping children`);
    cleanup().finally(() => process.exit(130));
  });
}
process.on('unhandledRejection', (err) => {
  log(`unhandled rejection: ${err?.stack ?? err}`);
  cleanup().finally(() => process.exit(1));
});

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

const CHAT_PATH = '/v1/chat/completions';
const CHAT_BODY = stack.chatBody(stack.MODEL_FAST);

/** Throws a readable error (with the child's last output) if a process under test has died. */
function assertAlive(procs) {
  for (const c of procs) {
    if (!c.running)
      throw new Error(`${c.name} (pid ${c.pid}) exited during the run (code ${c.exitCode}, signal ${c.exitSignal}); its last output:\n${c.tail.slice(-2000)}`);
  }
}

/**
 * The non-streaming figures of one target (`procs`: the child processes whose CPU/RSS count).
 * `onlyIfSustained` skips the fixed-rate phase when the throughput load showed the target cannot
 * answer `s.rate` req/s: an open loop beyond that only measures a queue that grows until timeouts.
 */
async function measureNonStreaming(s, target, procs, headers, { onlyIfSustained = false } = {}) {
  const url = `${target.origin}${CHAT_PATH}`;
  const pids = procs.map((c) => c.pid);
  const rssRest = rssOf(pids);

  log(`  warm-up ${s.warmupSeconds} s`);
  await throughput({ url, headers, body: CHAT_BODY, connections: s.connections, durationSec: s.warmupSeconds, maxRequests: s.warmupSeconds * 30_000 });
  await sleep(500);

  log(`  throughput: ${s.connections} connections, ${s.loadSeconds} s`);
  let sampler = startRssSampler(pids, 200);
  let noise = noiseMeter();
  let cpu0 = cpuMicrosOf(pids);
  const thr = await throughput({ url, headers, body: CHAT_BODY, connections: s.connections, durationSec: s.loadSeconds, maxRequests: s.loadSeconds * 30_000 });
  assertAlive(procs);
  const cpuThroughput = (cpuMicrosOf(pids) - cpu0) / Math.max(1, thr.completed);
  const peak1 = sampler.stop().peak;
  const noiseThroughput = noise.stop();
  await sleep(1000);

  const common = { available: true, rssRest, throughput: thr };
  if (onlyIfSustained && thr.reqPerSec < s.rate * 1.1) {
    log(
      `  -> ${Math.round(thr.reqPerSec)} req/s at ${s.connections} connections; p50/p99 ${thr.latencyMs.p50}/${thr.latencyMs.p99} ms; ` +
        `CPU ${cpuThroughput.toFixed(0)} µs/req; errors ${thr.non2xx + thr.errors}; foreign CPU ${noiseThroughput.toFixed(0)}%; ` +
        `fixed rate not run (below 1.1 × ${s.rate} req/s)`,
    );
    return {
      ...common,
      rssLoadPeak: peak1,
      fixedRateSkipped: `${Math.round(thr.reqPerSec)} req/s at ${s.connections} connections cannot sustain ${s.rate} req/s: the fixed-rate load was not run`,
      cpuMicrosPerRequest: { throughput: cpuThroughput },
      foreignCpuPct: { throughput: noiseThroughput },
    };
  }

  log(`  fixed rate: ${s.rate} req/s, ${s.loadSeconds} s`);
  sampler = startRssSampler(pids, 200);
  noise = noiseMeter();
  cpu0 = cpuMicrosOf(pids);
  const fixed = await fixedRate({ origin: target.origin, path: CHAT_PATH, headers, body: CHAT_BODY, rate: s.rate, durationMs: s.loadSeconds * 1000 });
  assertAlive(procs);
  const cpuFixed = (cpuMicrosOf(pids) - cpu0) / Math.max(1, fixed.ok + fixed.non2xx);
  const peak2 = sampler.stop().peak;
  const noiseFixed = noise.stop();
  if (fixed.firstErrors.length > 0) log(`  errors at fixed rate: ${fixed.firstErrors.join('; ')}`);
  log(
    `  -> ${Math.round(thr.reqPerSec)} req/s; p50/p99 ${fixed.latencyMs.p50.toFixed(2)}/${fixed.latencyMs.p99.toFixed(2)} ms; ` +
      `CPU ${cpuFixed.toFixed(0)} µs/req; errors ${thr.non2xx + thr.errors + fixed.non2xx + fixed.errors}; ` +
      `foreign CPU ${noiseThroughput.toFixed(0)}% / ${noiseFixed.toFixed(0)}%`,
  );
  return {
    ...common,
    rssLoadPeak: Math.max(peak1, peak2),
    fixedRate: fixed,
    cpuMicrosPerRequest: { fixedRate: cpuFixed, throughput: cpuThroughput },
    foreignCpuPct: { throughput: noiseThroughput, fixedRate: noiseFixed },
  };
}

/** Warm-up rounds, then `count` streams at once (and ramped) against `origin`: one column of the streaming table. */
async function streamRounds(s, origin, label, headers, count, pids = []) {
  const common = { origin, path: CHAT_PATH, headers, model: stack.MODEL_PACED, count };
  // Unmeasured rounds first: they open every connection (client -> target and gateway -> fake),
  // so the measured rounds time the relay rather than 2 × count TCP handshakes, and they give V8
  // enough chunks (≥ 2,000 streams) to optimise the relay path of this fresh gateway.
  const warmStart = Date.now();
  let warmed = 0;
  for (let round = 0; round < 6 && (round === 0 || (warmed < 2000 && Date.now() - warmStart < 10_000)); round++) {
    log(`  ${label}: warm-up round ${round + 1}, ${count} streams`);
    await streamRound({ ...common });
    warmed += count;
  }
  log(`  ${label}: ${count} streams at once`);
  let noise = noiseMeter();
  const burst = await streamRound({ ...common });
  burst.foreignCpuPct = noise.stop();
  let ramp;
  if (s.streamRampMs > 0) {
    log(`  ${label}: ${count} streams ramped over ${s.streamRampMs} ms`);
    noise = noiseMeter();
    const cpu0 = cpuMicrosOf(pids);
    ramp = await streamRound({ ...common, rampMs: s.streamRampMs });
    // Read once every stream of the round has ended (its outcome recorded): the proxy's CPU per stream.
    if (pids.length > 0) ramp.cpuPerStreamUs = (cpuMicrosOf(pids) - cpu0) / Math.max(1, ramp.completed + ramp.errors);
    ramp.foreignCpuPct = noise.stop();
  }
  log(
    `  -> TTFT p50/p99 ${burst.ttftMs.p50.toFixed(1)}/${burst.ttftMs.p99.toFixed(1)} ms, completed ${burst.completed}/${count}; foreign CPU ${burst.foreignCpuPct.toFixed(0)}%`,
  );
  return { burst, ramp };
}

/** What `via` adds to the direct streams' TTFT and gaps, per round ('burst' / 'ramp'). */
function addedOver(direct, via, key) {
  const d = direct[key];
  const g = via[key];
  if (!d || !g) return undefined;
  return { ttftP50Ms: g.ttftMs.p50 - d.ttftMs.p50, ttftP99Ms: g.ttftMs.p99 - d.ttftMs.p99, gapP99Ms: g.gapMs.p99 - d.gapMs.p99 };
}

/**
 * The stream rounds through `target` (a started gateway or peer), its RSS sampled meanwhile, and
 * what it adds over the `direct` rounds: the figures each of its columns in the table reads.
 */
async function streamsThrough(s, target, label, headers, count, direct, paced) {
  const rssRest = rssOf(target.pids);
  const sampler = startRssSampler(target.pids, 50);
  const via = await streamRounds(s, target.origin, label, headers, count, target.pids);
  assertAlive([target.child, paced.child]);
  const { peak } = sampler.stop();
  return {
    via,
    added: { burst: addedOver(direct, via, 'burst'), ramp: addedOver(direct, via, 'ramp') },
    rssRest,
    rssPeak: peak,
    cpuPerStreamUs: via.ramp?.cpuPerStreamUs,
  };
}

/** Direct vs through-the-gateway streams against the paced fake. */
async function measureStreaming(s, paced, gateway, headers, count) {
  // The fake's own CPU per stream (reading one request, writing the same chunks) is the floor to read the gateway's against.
  const direct = await streamRounds(s, paced.origin, 'direct', headers, count, [paced.child.pid]);
  const g = await streamsThrough(s, gateway, 'gateway', headers, count, direct, paced);
  return {
    count,
    ttftMs: s.ttftMs,
    interChunkMs: s.interChunkMs,
    rampMs: s.streamRampMs,
    chunksExpected: stack.PACED_CHUNKS,
    expectedSpanMs: (stack.PACED_CHUNKS - 1) * s.interChunkMs,
    direct,
    gateway: g.via,
    added: g.added,
    gatewayRssRest: g.rssRest,
    gatewayRssPeak: g.rssPeak,
    gatewayCpuPerStreamUs: g.cpuPerStreamUs,
    fakeCpuPerStreamUs: direct.ramp?.cpuPerStreamUs,
  };
}

/**
 * The same streams through a gateway on Redis and PostgreSQL, as (c): what the embedded database
 * costs the streams' memory and CPU, and the figures of an install with its own database.
 */
async function measureStoresStreaming(s, paced, gatewayOpts, headers, streaming) {
  if (s.skip.has('stores')) return { available: false, note: 'skipped (BENCH_SKIP)' };
  const [redis, pg] = await Promise.all([portAnswers(6379), portAnswers(5432)]);
  if (!redis || !pg) return { available: false, note: 'not available: needs 127.0.0.1:6379 and :5432' };
  log(`streaming through the gateway with REDIS_URL and DATABASE_URL: ${streaming.count} streams`);
  const g = await stack.startGateway('gw-streams-stores', { ...gatewayOpts, extraEnv: { REDIS_URL: s.redisUrl, DATABASE_URL: s.databaseUrl } });
  try {
    const { via, ...figures } = await streamsThrough(s, g, 'gateway (stores)', headers, streaming.count, streaming.direct, paced);
    return { available: true, ...figures };
  } finally {
    await g.child.stop();
  }
}

/**
 * The same streams through the peer gateway (fresh process), against the direct figures of
 * `streaming` (the gateway's run just before): its column of the streaming table.
 */
async function measurePeerStreaming(s, paced, streaming) {
  const p = await peer.startPeer('peer-streams');
  const { via, ...figures } = await streamsThrough(s, p, 'peer', peer.peerHeaders(paced), streaming.count, streaming.direct, paced);
  await p.child.stop();
  return { ...via, ...figures };
}

/** Requests the gateway has answered (its own /metrics), to divide per-run tallies by. */
async function requestsServed(origin) {
  const text = await (await fetch(`${origin}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) if (line.startsWith('switchyard_requests_total{')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  return n;
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

async function main() {
  const s = settingsFrom(process.argv.slice(2));
  stack.checkBuilt();
  // Before anything is measured: an install (on a fresh clone) must not overlap a load.
  const peerInstall = s.skip.has('peer') ? undefined : peer.ensurePeer(log);
  stack.snapshotDist();
  const machine = machineInfo();
  const adminKey = `sy-bench-${randomBytes(12).toString('hex')}`;
  const headers = stack.benchHeaders(adminKey);

  // Each stream holds a client->gateway and a gateway->fake socket in the gateway process.
  let streams = s.streams;
  const fdNeeded = 2 * streams + 200;
  if (machine.openFileLimit < fdNeeded) {
    const capped = Math.max(10, Math.floor((machine.openFileLimit - 200) / 2));
    log(
      `open-file limit ${machine.openFileLimit} is too low for ${streams} streams (needs ≈${fdNeeded}); capping at ${capped}. Raise it with \`ulimit -n 4096\`.`,
    );
    streams = capped;
  }

  // A hard bound on the whole run, whatever hangs: the budget is generous, never open-ended.
  const budgetSec = 360 + s.soakSeconds * 1.25 + s.loadSeconds * 12 + (s.skip.has('peer') ? 0 : 150 + s.loadSeconds * 2);
  const deadline = setTimeout(() => {
    log(`run exceeded its ${Math.round(budgetSec)} s budget: aborting`);
    cleanup().finally(() => process.exit(3));
  }, budgetSec * 1000);
  deadline.unref();

  // Before anything starts: is somebody else already using the machine?
  const idleCheck = noiseMeter();
  await sleep(2000);
  const foreignBefore = idleCheck.stop();
  if (foreignBefore > 10)
    log(`warning: other processes are using ${foreignBefore.toFixed(0)}% of the machine's CPU; figures will be pessimistic (see "foreign CPU" in the report)`);

  workDir = stack.makeWorkDir();
  log(`mode ${s.mode}; machine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}; fd limit ${machine.openFileLimit}`);

  log('starting fake backends');
  const fast = await stack.startFake('fake-fast');
  const paced = await stack.startFake('fake-paced', { ttftMs: s.ttftMs, interChunkMs: s.interChunkMs, models: [stack.MODEL_PACED], reply: stack.PACED_REPLY });
  const configFile = stack.writeGatewayConfig(workDir, fast, paced, streams);
  const gatewayOpts = { configFile, adminKey, workDir };

  const scenarios = [];

  log('a. direct to the fake backend (floor)');
  scenarios.push({ id: 'direct', label: 'a. direct (fake floor)', process: 'fake-llm', ...(await measureNonStreaming(s, fast, [fast.child], headers)) });

  log('b. gateway, embedded mode, memory stores');
  let gw = await stack.startGateway('gw-embedded', gatewayOpts);
  scenarios.push({ id: 'embedded', label: 'b. gateway embedded', process: 'gateway', ...(await measureNonStreaming(s, gw, [gw.child], headers)) });
  await gw.child.stop();

  // (r), (c) and (d) depend on things outside the gateway (local services, a router build in
  // progress, a second framework app): a failure there is reported in the table, it does not
  // throw away the rest.
  const attempt = async (id, label, run) => {
    try {
      return { id, label, ...(await run()) };
    } catch (err) {
      log(`  ${label} failed: ${err.message.split('\n')[0]}`);
      await Promise.all(
        [...live].filter((c) => c.name.startsWith('gw-') || c.name.startsWith('peer') || c.name === 'router' || c.name === 'ref-relay').map((c) => c.stop()),
      );
      return { id, label, available: false, note: `failed: ${err.message.split('\n')[0]}`, error: err.message };
    }
  };
  const optional = async (id, label, run) => scenarios.push(await attempt(id, label, run));

  // (r) is measured after (b), so that (a) and (b) run exactly as they did before it existed, but
  // it is listed right after (a): it is the second yardstick, what the bare framework costs.
  const reference = await attempt('reference', 'r. plain NestJS relay (reference)', async () => {
    if (s.skip.has('reference')) return { available: false, note: 'skipped (BENCH_SKIP)' };
    log('r. plain NestJS-on-Fastify relay with undici (reference, no targets)');
    const ref = await stack.startReferenceRelay('ref-relay', fast);
    const m = await measureNonStreaming(s, ref, [ref.child], headers);
    await ref.child.stop();
    return { process: 'reference relay', ...m };
  });
  scenarios.splice(scenarios.findIndex((x) => x.id === 'direct') + 1, 0, reference);

  // (p) a peer gateway from npm on the same fake and the same load, listed after (r): no targets of
  // its own, but Switchyard's throughput is checked against it. It runs the fixed-rate load only
  // if it can answer that rate at all (else that load measures its queue until the timeouts).
  const peerLabel = `p. peer: ${peer.NAME} ${peerInstall?.version ?? peer.pinnedVersion()}`;
  const peerRow = await attempt('peer', peerLabel, async () => {
    if (!peerInstall) return { available: false, note: 'not run: skipped (BENCH_SKIP)' };
    if (!peerInstall.ok) return { available: false, note: `not run: ${peerInstall.why}` };
    log(`p. peer gateway: ${peer.NAME} ${peerInstall.version} (${peer.PACKAGE} from bench/peers), same fake`);
    const p = await peer.startPeer('peer');
    const m = await measureNonStreaming(s, p, [p.child], peer.peerHeaders(fast), { onlyIfSustained: true });
    await p.child.stop();
    const { ok, ...about } = peerInstall;
    return { process: 'peer', peer: about, note: m.fixedRateSkipped, ...m };
  });
  scenarios.splice(scenarios.findIndex((x) => x.id === 'reference') + 1, 0, peerRow);

  // (q) right before (c), the same but for the usage ledger and request metrics: what they cost.
  await optional('quiet', 'q. gateway + Redis/PostgreSQL, ledger and metrics off', async () => {
    if (s.skip.has('stores')) return { available: false, note: 'skipped (BENCH_SKIP)' };
    const [redis, pg] = await Promise.all([portAnswers(6379), portAnswers(5432)]);
    if (!redis || !pg) return { available: false, note: 'not available: needs 127.0.0.1:6379 and :5432' };
    log('q. gateway with REDIS_URL and DATABASE_URL, usage ledger and request metrics off');
    const quietConfig = stack.writeGatewayConfig(workDir, fast, paced, streams, { usage: { enabled: false }, metrics: { enabled: false } }, 'quiet');
    const g = await stack.startGateway('gw-quiet', {
      ...gatewayOpts,
      configFile: quietConfig,
      extraEnv: { REDIS_URL: s.redisUrl, DATABASE_URL: s.databaseUrl },
    });
    const m = await measureNonStreaming(s, g, [g.child], headers);
    await g.child.stop();
    return {
      process: 'gateway',
      note: 'as (c) with `usage.enabled: false` and `metrics.enabled: false`: the yardstick for what the ledger and metrics cost',
      ...m,
    };
  });

  await optional('stores', 'c. gateway + Redis/PostgreSQL', async () => {
    if (s.skip.has('stores')) return { available: false, note: 'skipped (BENCH_SKIP)' };
    const [redis, pg] = await Promise.all([portAnswers(6379), portAnswers(5432)]);
    if (!redis || !pg) {
      return {
        available: false,
        note: `not available: nothing answers on ${[!redis && '127.0.0.1:6379', !pg && '127.0.0.1:5432'].filter(Boolean).join(' and ')}`,
      };
    }
    log('c. gateway with REDIS_URL and DATABASE_URL');
    const used = stack.gatewayMentions('REDIS_URL') || stack.gatewayMentions('DATABASE_URL');
    const g = await stack.startGateway('gw-stores', { ...gatewayOpts, extraEnv: { REDIS_URL: s.redisUrl, DATABASE_URL: s.databaseUrl } });
    const m = await measureNonStreaming(s, g, [g.child], headers);
    await g.child.stop();
    return {
      process: 'gateway',
      note: used ? undefined : 'this build of the gateway does not read REDIS_URL/DATABASE_URL yet: figures should match (b)',
      ...m,
    };
  });

  // (l) with the default leases (a busy key spends a reserved share locally), and (l0) with
  // `limits.leaseShare: 0`: every request's one round trip, the cost of a key that is not busy.
  const limitsScenario = (leased) => async () => {
    if (s.skip.has('limits')) return { available: false, note: 'skipped (BENCH_SKIP)' };
    const [redis, pg] = await Promise.all([portAnswers(6379), portAnswers(5432)]);
    if (!redis || !pg) {
      return {
        available: false,
        note: `not available: nothing answers on ${[!redis && '127.0.0.1:6379', !pg && '127.0.0.1:5432'].filter(Boolean).join(' and ')}`,
      };
    }
    log(`${leased ? 'l' : 'l0'}. gateway with REDIS_URL and DATABASE_URL, a tenant key with request/token limits and budgets${leased ? '' : ', no leases'}`);
    const secret = randomBytes(32).toString('hex');
    const tenant = await stack.createTenantKey({ databaseUrl: s.databaseUrl, secret, name: `bench-${randomBytes(6).toString('hex')}` });
    // Through a counting proxy: how many Redis commands this gateway sends per request.
    const proxy = await startRedisProxy(s.redisUrl);
    try {
      const g = await stack.startGateway(leased ? 'gw-limits' : 'gw-limits0', {
        ...gatewayOpts,
        configFile: leased ? gatewayOpts.configFile : stack.writeGatewayConfig(workDir, fast, paced, streams, { limits: { leaseShare: 0 } }, 'limits0'),
        extraEnv: { REDIS_URL: proxy.url, DATABASE_URL: s.databaseUrl, SWITCHYARD_SECRET: secret, SWITCHYARD_REDIS_PREFIX: `switchyard-bench-${process.pid}` },
      });
      proxy.reset();
      const served0 = await requestsServed(g.origin);
      const m = await measureNonStreaming(s, g, [g.child], stack.benchHeaders(tenant.key));
      await sleep(200); // the last true-ups
      const served = (await requestsServed(g.origin)) - served0;
      const t = proxy.tally();
      await g.child.stop();
      const perRequest = (n) => n / Math.max(1, served);
      const redisPerRequest = { all: perRequest(t.commands), checkAndAdd: perRequest(t.checkAndAdd), adjust: perRequest(t.adjust), other: perRequest(t.other) };
      log(
        `  -> Redis commands per request: ${redisPerRequest.all.toFixed(3)} (check-and-reserve ${redisPerRequest.checkAndAdd.toFixed(3)}, ` +
          `batched true-ups ${redisPerRequest.adjust.toFixed(3)}, other ${redisPerRequest.other.toFixed(3)}) over ${served} requests`,
      );
      return {
        process: 'gateway',
        note:
          `a tenant key with rpm/tpm for tenant and key and daily/monthly USD budgets, Redis and PostgreSQL${leased ? '' : ', `limits.leaseShare: 0`'}; Redis commands per request: ` +
          `${redisPerRequest.checkAndAdd.toFixed(2)} check-and-reserve + ${redisPerRequest.adjust.toFixed(3)} true-ups (batched per tenant every 50 ms)`,
        redisPerRequest,
        ...m,
      };
    } finally {
      await proxy.close();
      await tenant.remove();
    }
  };
  await optional('limits', 'l. gateway + tenant limits and budgets', limitsScenario(true));
  await optional('limits0', 'l0. as (l), leases off (a round trip per request)', limitsScenario(false));

  await optional('router', 'd. gateway + remote router', async () => {
    if (s.skip.has('router')) return { available: false, note: 'skipped (BENCH_SKIP)' };
    if (!stack.routerAvailable()) return { available: false, note: 'not available yet (dist/apps/router/src/main.js missing)' };
    log('d. gateway with ROUTER_URL (remote router)');
    const used = stack.gatewayMentions('ROUTER_URL');
    const router = await stack.startRouter('router', gatewayOpts);
    const g = await stack.startGateway('gw-router', { ...gatewayOpts, extraEnv: { ROUTER_URL: router.url } });
    // The router's CPU is part of what a request costs in this mode.
    const m = await measureNonStreaming(s, g, [g.child, router.child], headers);
    await g.child.stop();
    await router.child.stop();
    return {
      process: 'gateway + router',
      note: used
        ? 'CPU and RSS are gateway + router'
        : 'this build of the gateway does not read ROUTER_URL yet: figures should match (b); CPU and RSS are gateway + router',
      ...m,
    };
  });

  let streaming;
  if (!s.skip.has('streams')) {
    log(`streaming: ${streams} concurrent streams, fake TTFT ${s.ttftMs} ms, ${s.interChunkMs} ms between chunks`);
    gw = await stack.startGateway('gw-streams', gatewayOpts);
    streaming = await measureStreaming(s, paced, gw, headers, streams);
    await gw.child.stop();
    streaming.stores = await measureStoresStreaming(s, paced, gatewayOpts, headers, streaming);
    if (peerInstall?.ok) {
      log(`streaming through the peer gateway (${peer.NAME} ${peerInstall.version}): ${streams} concurrent streams`);
      try {
        streaming.peer = { name: peer.NAME, version: peerInstall.version, available: true, ...(await measurePeerStreaming(s, paced, streaming)) };
      } catch (err) {
        log(`  peer streaming failed: ${err.message.split('\n')[0]}`);
        await Promise.all([...live].filter((c) => c.name.startsWith('peer')).map((c) => c.stop()));
        streaming.peer = { name: peer.NAME, version: peerInstall.version, available: false, note: `failed: ${err.message.split('\n')[0]}` };
      }
    } else {
      streaming.peer = { name: peer.NAME, available: false, note: peerInstall ? `not run: ${peerInstall.why}` : 'not run: skipped (BENCH_SKIP)' };
    }
  }

  let soakResult;
  if (!s.skip.has('soak') && s.soakSeconds > 0) {
    log(`soak: ${s.soakSeconds} s at ${s.soakRate} req/s (1 in ${s.soakStreamEvery} streamed)`);
    gw = await stack.startGateway('gw-soak', gatewayOpts);
    const noise = noiseMeter();
    soakResult = await soak({
      origin: gw.origin,
      pids: gw.pids,
      headers,
      modelFast: stack.MODEL_FAST,
      modelPaced: stack.MODEL_PACED,
      durationSec: s.soakSeconds,
      rate: s.soakRate,
      streamEvery: s.soakStreamEvery,
      onProgress: (c) =>
        log(`  soak: ${c.requests} requests, ${c.streams} streams, ${c.non2xx + c.errors} errors, RSS ${Math.round(rssOf(gw.pids) / 2 ** 20)} MB`),
    });
    soakResult.foreignCpuPct = noise.stop();
    assertAlive([gw.child]);
    await gw.child.stop();
  }

  await cleanup();
  clearTimeout(deadline);

  const date = new Date().toISOString().slice(0, 10);
  const results = evaluate({
    date,
    finishedAt: new Date().toISOString(),
    mode: s.mode,
    machine,
    foreignCpuPctBeforeStart: foreignBefore,
    settings: { ...s, skip: [...s.skip], streams, redisUrl: undefined, databaseUrl: undefined },
    scenarios,
    streaming,
    soak: soakResult,
  });

  process.stdout.write(`\n${renderText(results)}\n`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  // Quick runs are for checking the harness; they do not replace the published full results.
  const suffix = s.mode === 'quick' ? '-quick' : '';
  const jsonFile = path.join(RESULTS_DIR, `${date}${suffix}.json`);
  const mdFile = path.join(RESULTS_DIR, `latest${suffix}.md`);
  fs.writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(mdFile, renderMarkdown(results));
  log(`wrote ${path.relative(process.cwd(), jsonFile)} and ${path.relative(process.cwd(), mdFile)}`);

  // The privacy scanner's costs, in a process of their own (in-process figures, no load).
  const privacy = require('node:child_process').spawnSync(process.execPath, [path.join(__dirname, 'privacy.js')], { stdio: 'inherit' });
  if (privacy.status !== 0) throw new Error(`bench/privacy.js exited with ${privacy.status}`);
  // The response cache: what a miss adds and what a hit costs, with gateways of its own.
  if (!s.skip.has('cache')) {
    const cache = require('node:child_process').spawnSync(process.execPath, [path.join(__dirname, 'cache.js')], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_REDIS_URL: s.redisUrl, ...(s.mode === 'quick' ? { BENCH_CACHE_SECONDS: '3', BENCH_CACHE_ROUNDS: '2' } : {}) },
    });
    if (cache.status !== 0) throw new Error(`bench/cache.js exited with ${cache.status}`);
  }
}

main().catch((err) => {
  log(`failed: ${err?.stack ?? err}`);
  cleanup().finally(() => process.exit(1));
});
