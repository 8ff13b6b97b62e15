#!/usr/bin/env node
'use strict';
/**
 * The response cache's cost and speed, on the built gateway (`npm run build` first):
 * - exact lookup on a miss: the gateway's CPU per request with `cache.mode: exact` (in memory) and
 *   every request different (each a miss, then kept), against the same gateway with the cache off,
 *   in alternating rounds at a fixed rate;
 * - a hit: latency and the gateway's own time (Server-Timing) at a fixed rate, every request the
 *   same; in memory, and on Redis when BENCH_REDIS_URL (default redis://127.0.0.1:6379) answers.
 * Bounded: fixed rate, fixed duration, fixed rounds. Writes bench/results/cache-latest.md.
 *
 *   node bench/cache.js          (BENCH_CACHE_RATE, BENCH_CACHE_SECONDS, BENCH_CACHE_ROUNDS)
 */
const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const { Pool } = require('undici');
const { stopAll, killAllNow, sleep } = require('./lib/children');
const { cpuMicrosOf } = require('./lib/procfs');
const stack = require('./lib/stack');
const { summary, median } = require('./lib/stats');

const RATE = Number(process.env.BENCH_CACHE_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_CACHE_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_CACHE_ROUNDS ?? 3);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADMIN_KEY = 'sy-bench-cache-0123456789abcdef0123';
const SERVER_TIMING = /gateway;dur=([\d.]+)/;

/** Open loop at `rate` for `seconds`: `body(i)` for the i-th request; latencies and Server-Timing of the 2xx. */
async function load(origin, body, rate, seconds) {
  const pool = new Pool(origin, { connections: 64, pipelining: 1 });
  const headers = stack.benchHeaders(ADMIN_KEY);
  const latency = [];
  const gateway = [];
  const results = new Map();
  let failed = 0;
  let inFlight = 0;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const sentAt = performance.now();
    inFlight++;
    pool
      .request({ method: 'POST', path: '/v1/chat/completions', headers, body: body(i) })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode !== 200) return void failed++;
        latency.push(performance.now() - sentAt);
        const m = SERVER_TIMING.exec(String(res.headers['server-timing'] ?? ''));
        if (m) gateway.push(Number(m[1]));
        const cache = String(res.headers['x-switchyard-cache'] ?? 'none');
        results.set(cache, (results.get(cache) ?? 0) + 1);
      })
      .catch(() => failed++)
      .finally(() => inFlight--);
  }
  for (let t = 0; inFlight > 0 && t < 200; t++) await sleep(50);
  await pool.destroy();
  return { latency: summary(latency), gateway: summary(gateway), results: Object.fromEntries(results), failed, sent: total };
}

const unique = (run) => (i) => JSON.stringify({ model: stack.MODEL_FAST, temperature: 0, messages: [{ role: 'user', content: `hello benchmark ${run} ${i}` }] });
const same = () => JSON.stringify({ model: stack.MODEL_FAST, temperature: 0, messages: [{ role: 'user', content: 'hello benchmark, again' }] });

/** CPU µs per request of the gateway over one load. */
async function cpuPerRequest(gw, body) {
  const before = cpuMicrosOf(gw.pids);
  const r = await load(gw.origin, body, RATE, SECONDS);
  const cpu = cpuMicrosOf(gw.pids) - before;
  return { ...r, cpuPerReq: cpu / Math.max(1, r.sent - r.failed) };
}

function redisAnswers(url) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port || 6379), u.hostname);
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.on('connect', () => done(true));
    s.on('error', () => done(false));
  });
}

async function main() {
  stack.checkBuilt();
  stack.snapshotDist();
  const workDir = stack.makeWorkDir();
  const fast = await stack.startFake('fake');
  const config = (cache) =>
    stack.writeGatewayConfig(workDir, fast, fast, 0, { usage: { enabled: false }, cache, models: [] }, cache.mode === 'off' ? 'off' : 'exact');
  const start = (name, cache, extraEnv = {}) => stack.startGateway(name, { configFile: config(cache), adminKey: ADMIN_KEY, workDir, extraEnv });
  const exact = { mode: 'exact', ttlSeconds: 3600 };
  const lines = [];
  const say = (s) => {
    lines.push(s);
    console.log(s);
  };

  // 1. Misses: the same gateway build with the cache off and on, alternating, warmed up first.
  const off = await start('gw-off', { mode: 'off' });
  const on = await start('gw-exact', exact);
  for (const gw of [off, on]) await load(gw.origin, unique(`warm-${gw.name}`), RATE, 4);
  const offCpu = [];
  const onCpu = [];
  let missCheck;
  for (let round = 0; round < ROUNDS; round++) {
    offCpu.push((await cpuPerRequest(off, unique(`off-${round}`))).cpuPerReq);
    const r = await cpuPerRequest(on, unique(`on-${round}`));
    missCheck = r.results;
    onCpu.push(r.cpuPerReq);
  }
  // 2. Hits, in memory: every request the same.
  await load(on.origin, same, RATE, 2);
  const hitMemory = await cpuPerRequest(on, same);
  const offSame = await cpuPerRequest(off, same);
  await Promise.all([off.child.stop(), on.child.stop()]);

  // 3. Hits on Redis.
  let hitRedis;
  if (await redisAnswers(REDIS_URL)) {
    const gw = await start('gw-redis', exact, { REDIS_URL, SWITCHYARD_REDIS_PREFIX: `bench-cache-${process.pid}` });
    await load(gw.origin, same, RATE, 3);
    hitRedis = await cpuPerRequest(gw, same);
    await gw.child.stop();
  }

  const f = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
  const missCost = median(onCpu) - median(offCpu);
  say(`# Response cache (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${RATE} req/s, ${SECONDS} s × ${ROUNDS} rounds)`);
  say('');
  say('| figure | value | target |');
  say('|---|---|---|');
  say(`| gateway CPU per request, cache off (median of rounds) | ${f(median(offCpu))} µs | |`);
  say(`| gateway CPU per request, exact cache in memory, every request a miss (kept) | ${f(median(onCpu))} µs (results: ${JSON.stringify(missCheck)}) | |`);
  say(`| exact lookup on a miss, added CPU | ${f(missCost)} µs | ≤ 50 µs |`);
  say(
    `| a hit in memory: latency p50 / p99, gateway time p50 (Server-Timing) | ${f(hitMemory.latency.p50, 3)} / ${f(hitMemory.latency.p99, 3)} ms, ${f(hitMemory.gateway.p50, 3)} ms | gateway ≤ 0.5 ms p50 |`,
  );
  say(`| a hit in memory: gateway CPU per request | ${f(hitMemory.cpuPerReq)} µs (a backend call with the cache off: ${f(offSame.cpuPerReq)} µs) | |`);
  if (hitRedis) {
    say(
      `| a hit on Redis: latency p50 / p99, gateway time p50 | ${f(hitRedis.latency.p50, 3)} / ${f(hitRedis.latency.p99, 3)} ms, ${f(hitRedis.gateway.p50, 3)} ms | gateway ≤ 0.5 ms p50 |`,
    );
    say(`| a hit on Redis: gateway CPU per request | ${f(hitRedis.cpuPerReq)} µs | |`);
  } else {
    say(`| a hit on Redis | not run: no Redis at ${REDIS_URL} | |`);
  }
  say(`| rounds, CPU µs per request off / on | ${offCpu.map((v) => f(v)).join(', ')} / ${onCpu.map((v) => f(v)).join(', ')} | |`);
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cache-latest.md'), lines.join('\n') + '\n');
  await stopAll();
  fs.rmSync(workDir, { recursive: true, force: true });
  stack.removeSnapshot();
}

main().catch((err) => {
  console.error(err);
  killAllNow();
  process.exit(1);
});
