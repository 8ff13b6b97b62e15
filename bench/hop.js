#!/usr/bin/env node
'use strict';
/**
 * What one router round trip costs on this machine, and how much of it is the transport:
 *
 *   npm run build && node bench/hop.js
 *   env: BENCH_HOP_SECONDS (8), BENCH_HOP_RATE (1000)
 *
 * Asks the same Decide question over one long-lived DecideStream — as a gateway with ROUTER_URL
 * does — at a fixed rate, of (1) a bare grpc-js server that answers with a canned copy of the
 * router's answer (transport only: grpc-js, HTTP/2, protobuf, the loopback hop) and (2) the real
 * router (the same, plus decoding the features and running the policy engine). Reports the round
 * trip p50/p99 and the CPU per call of the client (this process) and of the server (from /proc).
 * Every loop is bounded in count and time; everything talks to 127.0.0.1 only.
 */
const fs = require('node:fs');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { Client, credentials } = require('@grpc/grpc-js');
const { stopAll, spawnNode, sleep, runScript } = require('./lib/children');
const stack = require('./lib/stack');
const { schedule, settle } = require('./lib/load');
const { cpuMicros } = require('./lib/procfs');
const { summary } = require('./lib/stats');

const { loadRouterProto } = require(path.join(__dirname, '../dist/libs/runtime/src/router-proto'));
const { toDecideRequest, fromDecideResponse } = require(path.join(__dirname, '../dist/libs/policy/src/router/router.mapper'));

const log = runScript('hop', main);

/** The question a gateway asks for the benchmark's non-streaming request. */
const QUESTION = toDecideRequest(
  { model: stack.MODEL_FAST, promptTokens: 4, stream: false, tags: [], headers: {}, pii: [] },
  { 'bench-fast': 1, 'bench-paced': 0 },
);

/** One DecideStream to `address`; `ask()` resolves with the answer. */
function openStream(address) {
  const m = loadRouterProto().router.DecideStream;
  const client = new Client(address, credentials.createInsecure());
  const call = client.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize);
  const waiting = new Map();
  let next = 0;
  call.on('data', (r) => {
    const w = waiting.get(r.id);
    if (!w) return;
    waiting.delete(r.id);
    w(r);
  });
  call.on('error', () => undefined);
  return {
    ask: () =>
      new Promise((resolve) => {
        const id = (next = (next + 1) >>> 0);
        waiting.set(id, resolve);
        call.write({ id, request: QUESTION });
      }),
    pending: () => waiting.size,
    close: () => {
      call.end();
      client.close();
    },
  };
}

/** Round trips at `rate`/s for `seconds` (bounded), after a warm-up; CPU per call of both ends. */
async function measure(label, address, serverPid, rate, seconds) {
  const s = openStream(address);
  try {
    const first = await s.ask();
    const warmEnd = Date.now() + 3000;
    while (Date.now() < warmEnd) await Promise.all(Array.from({ length: 20 }, () => s.ask()));
    await sleep(300);
    const rtt = [];
    const server0 = cpuMicros(serverPid);
    const self0 = process.cpuUsage();
    const { sent } = await schedule({
      rate,
      durationMs: seconds * 1000,
      maxCount: rate * seconds,
      fire: () => {
        const t0 = performance.now();
        s.ask().then(() => rtt.push(performance.now() - t0));
      },
    });
    const stuck = await settle(s.pending, 5000);
    const self = process.cpuUsage(self0);
    const serverCpu = cpuMicros(serverPid) - server0;
    const r = summary(rtt);
    const row = {
      label,
      calls: sent,
      unanswered: stuck,
      rttP50Ms: r.p50,
      rttP99Ms: r.p99,
      // The client's own figure includes the scheduler's 1 ms interval timer: an upper bound.
      clientCpuPerCallUs: (self.user + self.system) / Math.max(1, sent),
      serverCpuPerCallUs: serverCpu / Math.max(1, sent),
    };
    log(`${label}: p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, server ${row.serverCpuPerCallUs.toFixed(0)} µs/call`);
    return { row, answer: first.response };
  } finally {
    s.close();
  }
}

async function main() {
  stack.checkBuilt();
  const seconds = Number(process.env.BENCH_HOP_SECONDS ?? 8);
  const rate = Number(process.env.BENCH_HOP_RATE ?? 1000);
  const workDir = stack.makeWorkDir();
  try {
    const fast = await stack.startFake('fake-fast');
    const paced = await stack.startFake('fake-paced', { ttftMs: 50, interChunkMs: 20, models: [stack.MODEL_PACED], reply: stack.PACED_REPLY });
    const configFile = stack.writeGatewayConfig(workDir, fast, paced, 64);
    const router = await stack.startRouter('router', { configFile, adminKey: `sy-hop-${randomBytes(8).toString('hex')}`, workDir });

    // The router's own answer, so the bare server sends the same bytes back.
    const real = await measure('router (policy engine)', router.url, router.child.pid, rate, seconds);
    if (!fromDecideResponse(real.answer)) throw new Error('the router does not know the benchmark model');
    const echo = spawnNode('grpc-echo', [path.join(__dirname, 'lib/grpc-echo.js')], { PATH: process.env.PATH, ECHO_RESPONSE: JSON.stringify(real.answer) });
    const [, address] = await echo.waitForOutput(/grpc echo on (\S+)/, 10000);
    const bare = await measure('bare grpc-js echo (transport only)', address, echo.pid, rate, seconds);

    const rows = [bare.row, real.row];
    const lines = [
      `# Router round trip — ${new Date().toISOString().slice(0, 10)}`,
      '',
      `One DecideStream, ${rate} questions/s for ${seconds} s after a 3 s warm-up; \`node bench/hop.js\`.`,
      '',
      '| server | calls | RTT p50 (ms) | RTT p99 (ms) | server CPU µs/call | client CPU µs/call (upper bound) |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.label} | ${r.calls}${r.unanswered ? ` (${r.unanswered} unanswered)` : ''} | ${r.rttP50Ms.toFixed(3)} | ${r.rttP99Ms.toFixed(3)} | ${r.serverCpuPerCallUs.toFixed(0)} | ${r.clientCpuPerCallUs.toFixed(0)} |`,
      ),
      '',
    ];
    process.stdout.write(lines.join('\n'));
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'results', 'hop-latest.md'), lines.join('\n'));
    log('wrote bench/results/hop-latest.md');
  } finally {
    await stopAll();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
