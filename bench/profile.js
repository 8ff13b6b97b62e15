#!/usr/bin/env node
'use strict';
/**
 * CPU profile of the gateway under the non-streaming load of the benchmark:
 *
 *   npm run build && node bench/profile.js            non-streaming, 50 connections
 *   node bench/profile.js --stream                    paced streams (50 ms TTFT, 20 ms between 20 chunks)
 *   node bench/profile.js --remote                    non-streaming through a remote router (both profiled)
 *   node bench/profile.js --reference                 the plain NestJS relay of scenario (r), for comparison
 *   node bench/profile.js --limits                    as scenario (l): a tenant key with limits and budgets,
 *                                                     REDIS_URL and DATABASE_URL (default: the local services)
 *   BENCH_PROF_RATE=1000 node bench/profile.js [...]  non-streaming at a fixed rate instead of 50 connections
 *   env: BENCH_PROF_DIR, BENCH_PROF_SECONDS (10), BENCH_CONNECTIONS (50), BENCH_PROF_STREAM_RATE (250 streams/s)
 *
 * Starts the fake backends and a gateway under `node --cpu-prof`, warms it up, loads it, stops it
 * with SIGINT (V8 writes the profile as the process exits) and summarises only the load window,
 * so start-up and JIT warm-up do not blur the picture. Writes bench/results/profile-latest.md
 * (profile-stream-latest.md with --stream, profile-remote-latest.md with --remote: the gateway's and
 * the router's profiles, and CPU per request of each).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { stopAll, sleep, runScript } = require('./lib/children');
const stack = require('./lib/stack');
const { Pool } = require('undici');
const { throughput, fixedRate, schedule, settle } = require('./lib/load');
const { cpuMicros, cpuSplit } = require('./lib/procfs');
const { aggregate, inclusiveBy, renderSummary } = require('./lib/cpuprofile');

/** Stages of the gateway's request path, matched by frame; they can nest (e.g. validation runs inside Nest's pipeline). */
const fn = (name, urlPart) => (cf) => cf.functionName === name && cf.url.includes(urlPart);
const STAGES = [
  {
    label: 'Nest request pipeline (router-execution-context: guards, pipes, handler)',
    test: (cf) => cf.url.includes('@nestjs/core/router/router-execution-context'),
  },
  { label: '  ValidationPipe.transform (class-transformer + class-validator)', test: fn('transform', '@nestjs/common/pipes/validation.pipe') },
  { label: '  ApiKeyGuard.canActivate (sha256 + timingSafeEqual)', test: fn('canActivate', 'api-key.guard') },
  { label: '  requestContext (AbortController, AbortSignal.timeout/any)', test: fn('requestContext', 'request-context') },
  { label: '  policy decide', test: (cf) => cf.url.includes('/libs/policy/') },
  { label: '  UpstreamClient.request (AbortSignal.any/timeout, undici dispatch)', test: fn('request', 'upstream-client') },
  { label: 'UpstreamClient.readJson (upstream body -> JSON.parse)', test: fn('readJson', 'upstream-client') },
  { label: 'Fastify reply send + serialize', test: (cf) => cf.url.includes('fastify/lib/reply') },
  { label: 'Fastify content-type parser (JSON body parse, AsyncResource.bind)', test: (cf) => cf.url.includes('fastify/lib/content-type-parser') },
  { label: 'ChatService.stream relay loop', test: fn('stream', 'chat.service') },
  { label: 'SSE parsing of the upstream stream (eventsource-parser: Anthropic backends)', test: (cf) => cf.url.includes('eventsource-parser') },
  { label: 'OpenAI stream relay, per upstream read (OpenAIStreamRelay.data, to the client write)', test: fn('data', 'openai-stream.relay') },
  { label: 'SSE framing of OpenAI-protocol streams (sse-framer)', test: (cf) => cf.url.includes('sse-framer') },
  { label: 'SseWriter (writes to the client)', test: (cf) => cf.url.includes('sse-writer') },
  { label: 'JSON.parse / JSON.stringify', test: (cf) => cf.url === '' && (cf.functionName === 'parse' || cf.functionName === 'stringify') },
  { label: 'all AbortSignal / AbortController code', test: (cf) => cf.url.includes('abort_controller') },
  { label: 'undici (any)', test: (cf) => cf.url.includes('/undici/') },
  { label: 'socket writes (writev syscall)', test: (cf) => cf.functionName === 'writev' && cf.url === '' },
  { label: 'garbage collector', test: (cf) => cf.functionName === '(garbage collector)' },
];

/** Paced streams at `rate` per second for `seconds`, each read to its end; bounded in count and time. */
async function streamLoad(origin, headers, rate, seconds) {
  const body = stack.chatBody(stack.MODEL_PACED, true);
  const pool = new Pool(origin, { connections: 2048, headersTimeout: 30_000, bodyTimeout: 30_000 });
  let inFlight = 0;
  let completed = 0;
  let errors = 0;
  const t0 = performance.now();
  await schedule({
    rate,
    durationMs: seconds * 1000,
    maxCount: Math.ceil(rate * seconds),
    fire: () => {
      inFlight++;
      pool
        .request({ method: 'POST', path: '/v1/chat/completions', headers, body, signal: AbortSignal.timeout(30_000) })
        .then((res) => res.body.text().then(() => (res.statusCode === 200 ? completed++ : errors++)))
        .catch(() => errors++)
        .finally(() => inFlight--);
    },
  });
  errors += await settle(() => inFlight, 31_000);
  await pool.destroy();
  return { completed, errors, perSec: (completed / (performance.now() - t0)) * 1000 };
}

function renderStages(stages) {
  const lines = ['### Stages (inclusive time of synchronous stacks)', '', '| stage | inclusive % |', '|---|---:|'];
  for (const s of stages) lines.push(`| ${s.label.replace(/^ {2}/, '&nbsp;&nbsp;↳ ')} | ${s.pct.toFixed(1)} |`);
  return lines.join('\n');
}

const log = runScript('profile', main);

async function main() {
  const streaming = process.argv.includes('--stream');
  const remote = process.argv.includes('--remote');
  const reference = process.argv.includes('--reference');
  const limits = process.argv.includes('--limits');
  if ((remote || reference || limits) && streaming) throw new Error('--remote, --reference and --limits profile non-streaming load only');
  stack.checkBuilt();
  stack.snapshotDist();
  const seconds = Number(process.env.BENCH_PROF_SECONDS ?? 10);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const streamRate = Number(process.env.BENCH_PROF_STREAM_RATE ?? 250);
  const profDir = path.resolve(process.env.BENCH_PROF_DIR ?? path.join(os.tmpdir(), 'prof'));
  fs.mkdirSync(profDir, { recursive: true });
  const before = new Set(fs.readdirSync(profDir));
  const workDir = stack.makeWorkDir();
  const adminKey = `sy-prof-${randomBytes(8).toString('hex')}`;
  let headers = stack.benchHeaders(adminKey);
  const body = stack.chatBody(stack.MODEL_FAST);
  let tenant;

  try {
    const extraEnv = {};
    if (limits) {
      const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
      const secret = randomBytes(32).toString('hex');
      tenant = await stack.createTenantKey({ databaseUrl, secret, name: `prof-${randomBytes(6).toString('hex')}` });
      headers = stack.benchHeaders(tenant.key);
      Object.assign(extraEnv, {
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        DATABASE_URL: databaseUrl,
        SWITCHYARD_SECRET: secret,
        SWITCHYARD_REDIS_PREFIX: `switchyard-prof-${process.pid}`,
      });
    }
    const fast = await stack.startFake('fake-fast');
    const paced = await stack.startFake('fake-paced', { ttftMs: 50, interChunkMs: 20, models: [stack.MODEL_PACED], reply: stack.PACED_REPLY });
    const configFile = stack.writeGatewayConfig(workDir, fast, paced, 2048);
    // The profile's clock starts as the process boots; note when we spawned it to place the load window.
    const routerSpawnedAt = performance.now();
    const routerDir = path.join(profDir, `router-${process.pid}`);
    const router = remote
      ? await stack.startRouter('router-profiled', { configFile, adminKey, workDir, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${routerDir}`] })
      : undefined;
    const spawnedAt = performance.now();
    // SIGINT is enough: Nest's shutdown hook closes the app and re-raises it, and V8 still writes the profile.
    const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
    const gw = reference
      ? await stack.startReferenceRelay('ref-profiled', fast, { nodeArgs })
      : await stack.startGateway('gw-profiled', {
          configFile,
          adminKey,
          workDir,
          extraEnv: router ? { ...extraEnv, ROUTER_URL: router.url } : extraEnv,
          nodeArgs,
        });
    const url = `${gw.origin}/v1/chat/completions`;
    const fixed = Number(process.env.BENCH_PROF_RATE ?? 0);
    const load = streaming
      ? (sec) => streamLoad(gw.origin, headers, streamRate, sec)
      : fixed > 0
        ? async (sec) => {
            const r = await fixedRate({ origin: gw.origin, path: '/v1/chat/completions', headers, body, rate: fixed, durationMs: sec * 1000 });
            return { completed: r.ok, errors: r.non2xx + r.errors, perSec: r.achievedRate };
          }
        : async (sec) => {
            const r = await throughput({ url, headers, body, connections, durationSec: sec, maxRequests: sec * 30_000 });
            return { completed: r.completed, errors: r.non2xx + r.errors, perSec: r.reqPerSec };
          };
    const what = streaming ? `${streamRate} paced streams/s` : fixed > 0 ? `${fixed} req/s` : `${connections} connections`;
    log(`warm-up 6 s, ${what}`);
    await load(6);
    await sleep(1000);
    log(`profiled load: ${seconds} s, ${what}`);
    const cpu0 = cpuMicros(gw.child.pid);
    const split0 = cpuSplit(gw.child.pid);
    const routerCpu0 = router ? cpuMicros(router.child.pid) : 0;
    const fromMs = performance.now() - spawnedAt;
    const r = await load(seconds);
    const toMs = performance.now() - spawnedAt;
    const cpuPerReq = (cpuMicros(gw.child.pid) - cpu0) / Math.max(1, r.completed);
    const split1 = cpuSplit(gw.child.pid);
    const kernelPct = (100 * (split1.system - split0.system)) / Math.max(1, split1.system - split0.system + split1.user - split0.user);
    const routerCpuPerReq = router ? (cpuMicros(router.child.pid) - routerCpu0) / Math.max(1, r.completed) : 0;
    log(
      `${Math.round(r.perSec)} ${streaming ? 'streams' : 'req'}/s, ${cpuPerReq.toFixed(0)} µs CPU per ${streaming ? 'stream' : 'request'}` +
        `${router ? ` (+ router ${routerCpuPerReq.toFixed(0)} µs)` : ''}, ${kernelPct.toFixed(0)}% of it in the kernel, ${r.errors} errors`,
    );
    await sleep(500);
    log('stopping the gateway with SIGINT');
    await gw.child.stop('SIGINT', 15000);
    if (router) await router.child.stop('SIGINT', 15000);
    await stopAll();

    const created = fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
    if (created.length === 0) throw new Error(`no .cpuprofile written to ${profDir} (gateway exit: code ${gw.child.exitCode}, signal ${gw.child.exitSignal})`);
    // The largest new profile is the gateway's (fakes are not profiled, but be safe).
    const file = created.map((f) => path.join(profDir, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
    log(`profile: ${file}`);
    const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
    // Trim the edges a little: the window is placed from the harness's clock, not the profile's.
    const window = { fromMs: fromMs + 250, toMs: toMs - 250 };
    const agg = aggregate(profile, window);
    const stages = inclusiveBy(profile, STAGES, window);
    const subject = reference ? 'relay' : 'gateway';
    const header = [
      `# ${reference ? 'Reference relay (plain NestJS on Fastify + undici)' : 'Gateway'} CPU profile${remote ? ' — remote router mode' : limits ? ' — tenant key with limits and budgets (Redis, PostgreSQL)' : ''} — ${new Date().toISOString().slice(0, 10)}`,
      '',
      (remote
        ? `Non-streaming \`POST /v1/chat/completions\` through a gateway with ROUTER_URL at ${what} for ${seconds} s after a 6 s warm-up: ` +
          `${Math.round(r.perSec)} req/s, ${cpuPerReq.toFixed(0)} µs gateway + ${routerCpuPerReq.toFixed(0)} µs router CPU per request (all threads, from /proc). `
        : streaming
          ? `Streaming \`POST /v1/chat/completions\` (${stack.PACED_CHUNKS} chunks, 50 ms TTFT, 20 ms apart) at ${streamRate} streams/s for ${seconds} s after a 6 s warm-up: ` +
            `${Math.round(r.perSec)} streams/s, ${cpuPerReq.toFixed(0)} µs gateway CPU per stream (all threads, from /proc). `
          : `Non-streaming \`POST /v1/chat/completions\` at ${what} for ${seconds} s after a 6 s warm-up: ` +
            `${Math.round(r.perSec)} req/s, ${cpuPerReq.toFixed(0)} µs ${subject} CPU per request (all threads, from /proc). `) +
        `${kernelPct.toFixed(0)}% of the ${subject}'s CPU was kernel time (syscalls, and loopback TCP, which the sender pays for both ends). ` +
        `Only the load window is summarised. Profile: \`${file}\` (open it in Chrome DevTools → Performance).`,
      '',
    ].join('\n');
    let md = `${header}\n${renderSummary(agg, { top: 30, title: 'Where the main thread spends its time' })}\n\n${renderStages(stages)}\n`;
    if (router) {
      const rf = fs.readdirSync(routerDir).filter((f) => f.endsWith('.cpuprofile'));
      if (rf.length === 0) throw new Error(`no router .cpuprofile written to ${routerDir}`);
      const routerFile = path.join(routerDir, rf[0]);
      log(`router profile: ${routerFile}`);
      const rAgg = aggregate(JSON.parse(fs.readFileSync(routerFile, 'utf8')), {
        fromMs: fromMs + (spawnedAt - routerSpawnedAt) + 250,
        toMs: toMs + (spawnedAt - routerSpawnedAt) - 250,
      });
      md += `\n# Router\n\nProfile: \`${routerFile}\`.\n\n${renderSummary(rAgg, { top: 20, title: 'Where the router main thread spends its time' })}\n`;
    }
    process.stdout.write(md);
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    const out = streaming
      ? 'profile-stream-latest.md'
      : remote
        ? 'profile-remote-latest.md'
        : reference
          ? 'profile-reference-latest.md'
          : limits
            ? 'profile-limits-latest.md'
            : 'profile-latest.md';
    fs.writeFileSync(path.join(__dirname, 'results', out), md);
    log(`wrote bench/results/${out}`);
  } finally {
    await stopAll();
    await tenant?.remove();
    fs.rmSync(workDir, { recursive: true, force: true });
    stack.removeSnapshot();
  }
}
