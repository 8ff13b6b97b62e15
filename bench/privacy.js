#!/usr/bin/env node
'use strict';
/**
 * Privacy scanning costs, measured on the built policy library (run `npm run build` first;
 * `npm run bench` does):
 * - the CPU a clean ~1 KB chat request costs under a privacy policy: the request scan, the
 *   gateway's own serialisation for the cloud call, and the egress check of the bytes that leave;
 * - scanning cost per KB of clean prose and of prose full of near misses;
 * - the event loop's delay (p99, max) while a 10 MB prompt is scanned, sliced and yielding.
 * Bounded: fixed iteration counts, one 10 MB scan. Writes bench/results/privacy-latest.md.
 */
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const policy = require(join(__dirname, '..', 'dist', 'libs', 'policy', 'src'));

const scanner = new policy.PiiScanner();

const SENTENCES = [
  'Summarise the quarterly report in three bullet points for the leadership team.',
  'The migration moved 1,204 tables on 2024-03-15 and finished in 42 minutes.',
  'Use version 1.10.0 of the client library; the old one is deprecated.',
  'Our latency p99 is 250 ms at 1000 req/s, measured over a week.',
  'Please answer in a friendly tone and keep it under two hundred words.',
];

/** Whole sentences, about `bytes` long, as a prompt is written. */
function prose(bytes) {
  let out = '';
  for (let i = 0; out.length < bytes; i++) out += (i > 0 ? ' ' : '') + SENTENCES[i % SENTENCES.length];
  return out;
}

function cpuMicros(fn, iterations) {
  for (let i = 0; i < Math.min(2000, iterations); i++) fn(); // warm up
  const t0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / iterations;
}

async function main() {
  const lines = [];
  const say = (s) => {
    lines.push(s);
    console.log(s);
  };

  // 1. A clean ~1 KB chat request, the privacy path of a cloud call.
  const request = {
    model: 'chat',
    messages: [
      { role: 'system', content: prose(300) },
      { role: 'user', content: prose(700) },
    ],
    temperature: 0.2,
  };
  const requestId = 'b1946ac9-2d5f-4e1b-9d2c-0a1b2c3d4e5f';
  const bytes = JSON.stringify(request).length;
  // A client that sends no x-request-id (the gateway makes one up, and need not read it).
  const scanOnly = cpuMicros(() => policy.scanPayload(request, scanner, []), 20000);
  const full = cpuMicros(() => {
    // What the gateway does for a cloud call under a privacy policy (PrivacyScreen.outbound).
    const result = policy.scanPayload(request, scanner, []);
    const body = JSON.stringify({ ...request, model: 'gpt' });
    const known = policy.cleanTexts(result);
    known.add(requestId);
    policy.egressCategories(body, [requestId], scanner, known);
    return result;
  }, 20000);
  // A client that sends its own x-request-id: it is read once, on the way in.
  const withId = cpuMicros(() => {
    const result = policy.scanPayload(request, scanner, [requestId]);
    const body = JSON.stringify({ ...request, model: 'gpt' });
    policy.egressCategories(body, [requestId], scanner, policy.cleanTexts(result));
    return result;
  }, 20000);
  say(`# Privacy scanning (${new Date().toISOString().slice(0, 10)}, node ${process.version})`);
  say('');
  say('| figure | value | target |');
  say('|---|---|---|');
  say(`| clean ${bytes}-byte chat request: request scan | ${scanOnly.toFixed(1)} µs CPU | |`);
  say(`| clean ${bytes}-byte chat request: scan + cloud serialisation + egress check | ${full.toFixed(1)} µs CPU | ≤ 30 µs |`);
  say(`| the same, with the client's own x-request-id | ${withId.toFixed(1)} µs CPU | |`);

  // 2. Cost per KB.
  const clean = prose(64 * 1024);
  const perKbClean = cpuMicros(() => policy.findIn(scanner, clean), 200) / 64;
  const noisy = Array.from({ length: 2000 }, (_v, i) => `order ${1000 + i} on 2024-03-${(i % 28) + 1} v1.${i}.0 sha 9fceb02d${i} total $${i}.99`)
    .join(' ')
    .slice(0, 64 * 1024);
  const perKbNoisy = cpuMicros(() => policy.findIn(scanner, noisy), 100) / 64;
  const unicode = clean.replace(/a/g, 'а').replace(/ /g, '\u00a0');
  const perKbUnicode = cpuMicros(() => policy.findIn(scanner, unicode), 50) / 64;
  say(`| scanning clean prose | ${perKbClean.toFixed(2)} µs/KB | |`);
  say(`| scanning prose dense with near misses (numbers, dates, versions, hashes) | ${perKbNoisy.toFixed(2)} µs/KB | |`);
  say(`| scanning non-ASCII prose (normalised view) | ${perKbUnicode.toFixed(2)} µs/KB | |`);

  // 3. The event loop while a 10 MB prompt is scanned.
  const big = { model: 'chat', messages: [{ role: 'user', content: prose(10 * 1024 * 1024) }] };
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await policy.scanPayload(big, scanner, []);
  const cpu = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  h.disable();
  say(`| 10 MB prompt: scan | ${(wall / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU | |`);
  say(`| 10 MB prompt: event-loop delay while scanning | p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms | ≤ ~50 ms |`);

  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'privacy-latest.md'), lines.join('\n') + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
