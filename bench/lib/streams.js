'use strict';
/**
 * Many concurrent SSE streams: time to first token, gaps between content chunks, and the spread of
 * each stream's chunk arrivals (a relay that buffers shows up as chunks bunched at the end, i.e. a
 * span far shorter than the backend's pacing).
 */
const { Pool } = require('undici');
const { summary, median } = require('./stats');
const { schedule } = require('./load');
const { chatBody } = require('./stack');

/** Content text of one SSE `data:` payload, or undefined for role-only / usage / [DONE] events. */
function contentOf(data) {
  if (data === '[DONE]') return undefined;
  try {
    const c = JSON.parse(data).choices?.[0]?.delta?.content;
    return typeof c === 'string' && c.length > 0 ? c : undefined;
  } catch {
    return undefined;
  }
}

/** One stream: resolves with its content-chunk arrival times (ms since its request was sent). */
async function oneStream(pool, { path, headers, body, timeoutMs }) {
  const started = performance.now();
  const res = await pool.request({ method: 'POST', path, headers, body, signal: AbortSignal.timeout(timeoutMs) });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`HTTP ${res.statusCode}`);
  }
  const arrivals = [];
  let buf = '';
  for await (const chunk of res.body) {
    const at = performance.now() - started;
    buf += chunk.toString('utf8');
    let idx;
    while ((idx = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, idx);
      buf = buf.slice(idx + 2);
      if (event.startsWith('data: ') && contentOf(event.slice(6)) !== undefined) arrivals.push(at);
    }
  }
  return arrivals;
}

/**
 * `count` streams against `origin`, all at once (`rampMs` 0) or spread evenly over `rampMs`.
 * Bounded: each stream by `timeoutMs`, the round by `roundTimeoutMs` (after which the pool is torn down).
 */
async function streamRound({ origin, path, headers, model, count, rampMs = 0, timeoutMs = 30000, roundTimeoutMs = 60000 }) {
  const body = chatBody(model, true);
  const pool = new Pool(origin, { connections: count, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const results = [];
  const errors = [];
  const run = () =>
    oneStream(pool, { path, headers, body, timeoutMs }).then(
      (arrivals) => results.push(arrivals),
      (err) => errors.push(err.message ?? String(err)),
    );
  const pending = [];
  if (rampMs > 0) {
    await schedule({ rate: (count * 1000) / rampMs, durationMs: rampMs + 1000, maxCount: count, fire: () => pending.push(run()) });
  } else {
    for (let i = 0; i < count; i++) pending.push(run());
  }
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), roundTimeoutMs);
  });
  const outcome = await Promise.race([Promise.all(pending).then(() => 'done'), timedOut]);
  clearTimeout(timer);
  await pool.destroy().catch(() => undefined);
  if (outcome === 'timeout') await Promise.allSettled(pending);

  const ttft = [];
  const gaps = [];
  const spans = [];
  const chunks = [];
  for (const a of results) {
    chunks.push(a.length);
    if (a.length === 0) continue;
    ttft.push(a[0]);
    spans.push(a[a.length - 1] - a[0]);
    for (let i = 1; i < a.length; i++) gaps.push(a[i] - a[i - 1]);
  }
  const errorKinds = {};
  for (const e of errors) errorKinds[e] = (errorKinds[e] ?? 0) + 1;
  return {
    count,
    rampMs,
    completed: results.length,
    errors: errors.length,
    errorKinds,
    roundTimedOut: outcome === 'timeout',
    ttftMs: summary(ttft),
    gapMs: summary(gaps),
    spanMs: summary(spans),
    medianSpanMs: median(spans),
    chunksPerStream: summary(chunks),
  };
}

module.exports = { streamRound };
