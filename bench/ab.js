#!/usr/bin/env node
'use strict';
/**
 * Two builds of the gateway, measured in turns so that a noisy machine weighs on both alike:
 *
 *   node bench/ab.js <distA> <distB>          e.g. a copy of dist/ before a change, and dist/ after it
 *   BENCH_AB_B=limits node bench/ab.js dist dist
 *                                             B as bench scenario (l): a tenant key with limits and
 *                                             budgets, REDIS_URL and DATABASE_URL; A stays embedded
 *   BENCH_AB_B=router node bench/ab.js dist dist
 *                                             B as bench scenario (d): a router from distB started
 *                                             beside it, the gateway given ROUTER_URL; B's CPU is
 *                                             gateway + router; A stays embedded
 *   node bench/ab.js --stream <distA> <distB>  paced streams instead (also BENCH_AB_STREAM=1): each
 *                                             round opens BENCH_AB_STREAMS (1000) streams spread over
 *                                             BENCH_AB_RAMP_MS (2000) against A, B and the fake directly
 *                                             (20 content chunks, 50 ms TTFT, 20 ms apart): gateway CPU
 *                                             per stream, and TTFT / inter-chunk p99 added over direct
 *   env: BENCH_AB_ROUNDS (6), BENCH_AB_SECONDS (3), BENCH_CONNECTIONS (50), BENCH_RATE (1000),
 *        REDIS_URL / DATABASE_URL for BENCH_AB_B=limits (default: the local services),
 *        BENCH_AB_ENV='K=V ...' extra environment for both gateways (e.g. DATABASE_URL=postgres://...),
 *        BENCH_AB_B_ENV='K=V ...' for B only (e.g. the same build with and without DATABASE_URL)
 *
 * Both gateways run side by side against one fake backend. Each round loads A then B (B then A
 * on odd rounds) for BENCH_AB_SECONDS at 50 connections and again at a fixed 1,000 req/s, reading
 * each gateway's CPU time from /proc. Prints each figure's median over the rounds and the median
 * of the per-round B/A ratios, which is what to quote for a before/after. A <dist> must lie
 * inside the repository (so node_modules resolves), e.g. bench/.tmp/before.
 */
const path = require('node:path');
const fs = require('node:fs');
const { randomBytes } = require('node:crypto');
const { stopAll, sleep, ROOT, runScript } = require('./lib/children');
const stack = require('./lib/stack');
const { throughput, fixedRate } = require('./lib/load');
const { cpuMicros, rssOf, startRssSampler } = require('./lib/procfs');
const { median } = require('./lib/stats');
const { streamRound } = require('./lib/streams');

const log = runScript('ab', main);

async function main() {
  const streaming = process.argv.includes('--stream') || process.env.BENCH_AB_STREAM === '1';
  const dists = process.argv
    .slice(2)
    .filter((a) => !a.startsWith('--'))
    .map((d) => path.resolve(d));
  if (dists.length !== 2) throw new Error('usage: node bench/ab.js [--stream] <distA> <distB>');
  for (const d of dists) {
    if (!fs.existsSync(path.join(d, 'apps/gateway/src/main.js'))) throw new Error(`${d}: no apps/gateway/src/main.js`);
    if (path.relative(ROOT, d).startsWith('..')) throw new Error(`${d}: must lie inside ${ROOT} so that node_modules resolves`);
  }
  const rounds = Number(process.env.BENCH_AB_ROUNDS ?? 6);
  const seconds = Number(process.env.BENCH_AB_SECONDS ?? 3);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const rate = Number(process.env.BENCH_RATE ?? 1000);
  stack.checkBuilt();
  const workDir = stack.makeWorkDir();
  const adminKey = `sy-ab-${randomBytes(8).toString('hex')}`;
  const body = stack.chatBody(stack.MODEL_FAST);
  const variant = process.env.BENCH_AB_B ?? '';
  if (variant !== '' && variant !== 'limits' && variant !== 'router') throw new Error(`BENCH_AB_B=${variant}: only "limits" and "router" are known`);
  let tenant;
  try {
    const fast = await stack.startFake('fake-fast');
    const streams = Number(process.env.BENCH_AB_STREAMS ?? 1000);
    const paced = streaming
      ? await stack.startFake('fake-paced', { ttftMs: 50, interChunkMs: 20, models: [stack.MODEL_PACED], reply: stack.PACED_REPLY })
      : await stack.startFake('fake-paced', { models: [stack.MODEL_PACED] });
    const configFile = stack.writeGatewayConfig(workDir, fast, paced, streaming ? streams : 64);
    const envOf = (text) =>
      Object.fromEntries(
        (text ?? '')
          .split(/\s+/)
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
    const sharedEnv = envOf(process.env.BENCH_AB_ENV);
    const bEnv = { ...sharedEnv, ...envOf(process.env.BENCH_AB_B_ENV) };
    const gws = [];
    for (const [i, d] of dists.entries()) {
      const opts = { configFile, adminKey, workDir, main: path.join(d, 'apps/gateway/src/main.js'), extraEnv: i === 1 ? bEnv : sharedEnv };
      if (i === 1 && variant === 'limits') {
        const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
        const secret = randomBytes(32).toString('hex');
        tenant = await stack.createTenantKey({ databaseUrl, secret, name: `ab-${randomBytes(6).toString('hex')}` });
        const extraEnv = {
          ...bEnv,
          REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
          DATABASE_URL: databaseUrl,
          SWITCHYARD_SECRET: secret,
          SWITCHYARD_REDIS_PREFIX: `switchyard-ab-${process.pid}`,
        };
        gws.push({ ...(await stack.startGateway('gw-B', { ...opts, extraEnv })), headers: stack.benchHeaders(tenant.key) });
      } else if (i === 1 && variant === 'router') {
        const routerMain = path.join(d, 'apps/router/src/main.js');
        if (!fs.existsSync(routerMain)) throw new Error(`${d}: no apps/router/src/main.js (npx nest build router)`);
        const router = await stack.startRouter('router-B', { ...opts, main: routerMain });
        const g = await stack.startGateway('gw-B', { ...opts, extraEnv: { ...bEnv, ROUTER_URL: router.url } });
        // What a request costs in this mode is the gateway's CPU and the router's.
        gws.push({ ...g, headers: stack.benchHeaders(adminKey), pids: [g.child.pid, router.child.pid] });
      } else {
        gws.push({ ...(await stack.startGateway(`gw-${'AB'[i]}`, opts)), headers: stack.benchHeaders(adminKey) });
      }
    }
    if (streaming) {
      await streamRounds({ gws, paced, adminKey, rounds, streams, rampMs: Number(process.env.BENCH_AB_RAMP_MS ?? 2000), dists, variant });
      return;
    }
    const url = (g) => `${g.origin}/v1/chat/completions`;
    log('warm-up: 5 s each');
    for (const g of gws) await throughput({ url: url(g), headers: g.headers, body, connections, durationSec: 5, maxRequests: 200_000 });

    const results = gws.map(() => ({ sat: [], satRps: [], fixed: [], overheadP50: [] }));
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const g = gws[i];
        await sleep(300);
        const cpu = () => (g.pids ?? [g.child.pid]).reduce((sum, pid) => sum + cpuMicros(pid), 0);
        let cpu0 = cpu();
        const t = await throughput({ url: url(g), headers: g.headers, body, connections, durationSec: seconds, maxRequests: seconds * 50_000 });
        results[i].sat.push((cpu() - cpu0) / Math.max(1, t.completed));
        results[i].satRps.push(t.reqPerSec);
        await sleep(300);
        cpu0 = cpu();
        const f = await fixedRate({ origin: g.origin, path: '/v1/chat/completions', headers: g.headers, body, rate, durationMs: seconds * 1000 });
        results[i].fixed.push((cpu() - cpu0) / Math.max(1, f.sent));
        results[i].overheadP50.push(f.gatewayMs.p50);
        if (t.non2xx + t.errors + f.non2xx + f.errors > 0) throw new Error(`${g.name}: errors under load`);
      }
      log(
        `round ${r + 1}/${rounds}: CPU µs/req @${connections} conn A ${results[0].sat[r].toFixed(0)} B ${results[1].sat[r].toFixed(0)}; ` +
          `@${rate}/s A ${results[0].fixed[r].toFixed(0)} B ${results[1].fixed[r].toFixed(0)}`,
      );
    }
    const ratio = (key) => median(results[1][key].map((b, r) => b / results[0][key][r]));
    const row = (label, key, digits) =>
      `| ${label} | ${median(results[0][key]).toFixed(digits)} | ${median(results[1][key]).toFixed(digits)} | ${ratio(key).toFixed(3)} |`;
    const out = [
      `A: ${path.relative(ROOT, dists[0])}   B: ${path.relative(ROOT, dists[1])}${variant ? ` as ${variant}` : ''}   (${rounds} rounds × ${seconds} s, medians)`,
      '',
      '| figure | A | B | B/A (median of rounds) |',
      '|---|---:|---:|---:|',
      row(`CPU µs/req @${connections} conn`, 'sat', 0),
      row(`req/s @${connections} conn`, 'satRps', 0),
      row(`CPU µs/req @${rate} req/s`, 'fixed', 0),
      row(`overhead p50 ms @${rate} req/s`, 'overheadP50', 3),
      '',
    ];
    process.stdout.write(out.join('\n'));
  } finally {
    await stopAll();
    await tenant?.remove();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * --stream: per round, BENCH_AB_STREAMS paced streams ramped over BENCH_AB_RAMP_MS straight to the
 * fake (the floor), then through A and B (B first on odd rounds); CPU per stream from /proc.
 */
async function streamRounds({ gws, paced, adminKey, rounds, streams, rampMs, dists, variant }) {
  const common = { path: '/v1/chat/completions', model: stack.MODEL_PACED, count: streams, rampMs, timeoutMs: 30_000, roundTimeoutMs: 60_000 };
  const direct = { name: 'direct', origin: paced.origin, headers: stack.benchHeaders(adminKey) };
  // RSS as started (before any stream), and its peak over the warm-up and every round.
  const rssRest = gws.map((g) => rssOf([g.child.pid]));
  const samplers = gws.map((g) => startRssSampler([g.child.pid], 50));
  log(`warm-up: one round of ${streams} streams over ${rampMs} ms each`);
  for (const g of gws) await streamRound({ ...common, origin: g.origin, headers: g.headers });
  const results = gws.map(() => ({ cpu: [], ttftP50: [], ttftP99: [], gapP99: [] }));
  for (let r = 0; r < rounds; r++) {
    await sleep(300);
    const d = await streamRound({ ...common, origin: direct.origin, headers: direct.headers });
    if (d.errors > 0) throw new Error(`direct: ${d.errors} streams failed`);
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      const g = gws[i];
      await sleep(300);
      const cpu0 = cpuMicros(g.child.pid);
      const s = await streamRound({ ...common, origin: g.origin, headers: g.headers });
      // CPU read once the round is over: every stream has ended and its outcome is recorded.
      await sleep(200);
      results[i].cpu.push((cpuMicros(g.child.pid) - cpu0) / Math.max(1, s.completed));
      results[i].ttftP50.push(s.ttftMs.p50 - d.ttftMs.p50);
      results[i].ttftP99.push(s.ttftMs.p99 - d.ttftMs.p99);
      results[i].gapP99.push(s.gapMs.p99 - d.gapMs.p99);
      if (s.errors > 0 || s.completed < streams) throw new Error(`${g.name}: ${s.errors} streams failed (${JSON.stringify(s.errorKinds)})`);
      if (s.chunksPerStream.p50 !== stack.PACED_CHUNKS)
        throw new Error(`${g.name}: ${s.chunksPerStream.p50} content chunks per stream, ${stack.PACED_CHUNKS} expected`);
    }
    log(
      `round ${r + 1}/${rounds}: CPU µs/stream A ${results[0].cpu[r].toFixed(0)} B ${results[1].cpu[r].toFixed(0)}; ` +
        `added TTFT p50 A ${results[0].ttftP50[r].toFixed(1)} B ${results[1].ttftP50[r].toFixed(1)} ms`,
    );
  }
  const rssPeak = samplers.map((sampler) => sampler.stop().peak);
  const mb = (bytes) => (bytes / 2 ** 20).toFixed(0);
  const ratio = (key) => median(results[1][key].map((b, r) => b / results[0][key][r]));
  const row = (label, key, digits, withRatio = true) =>
    `| ${label} | ${median(results[0][key]).toFixed(digits)} | ${median(results[1][key]).toFixed(digits)} | ${withRatio ? ratio(key).toFixed(3) : ''} |`;
  const out = [
    `A: ${path.relative(ROOT, dists[0])}   B: ${path.relative(ROOT, dists[1])}${variant ? ` as ${variant}` : ''}   ` +
      `(${rounds} rounds × ${streams} streams opened over ${rampMs} ms, ${stack.PACED_CHUNKS} chunks each, medians)`,
    '',
    '| figure | A | B | B/A (median of rounds) |',
    '|---|---:|---:|---:|',
    row('gateway CPU µs/stream', 'cpu', 0),
    row('added TTFT p50 ms (over direct)', 'ttftP50', 1, false),
    row('added TTFT p99 ms (over direct)', 'ttftP99', 1, false),
    row('added inter-chunk p99 ms (over direct)', 'gapP99', 2, false),
    `| gateway RSS as started / peak MB | ${mb(rssRest[0])} / ${mb(rssPeak[0])} | ${mb(rssRest[1])} / ${mb(rssPeak[1])} | |`,
    '',
  ];
  process.stdout.write(out.join('\n'));
}
