'use strict';
/**
 * Soak: a modest, fixed mix of non-streaming requests and streams for a long time, watching RSS.
 * A leak per request shows up as RSS that keeps climbing after the heap has reached its working
 * size, so growth is measured from the end of a warm-up (the first 20%) rather than from start.
 */
const { Pool } = require('undici');
const { schedule, settle } = require('./load');
const { startRssSampler, cpuMicrosOf } = require('./procfs');
const { median } = require('./stats');
const { chatBody } = require('./stack');

/** Median RSS of the samples whose time lies in [fromFrac, toFrac] of `durationMs`. */
function rssWindow(samples, durationMs, fromFrac, toFrac) {
  const lo = durationMs * fromFrac;
  const hi = durationMs * toFrac;
  const inWindow = samples.filter((s) => s.t >= lo && s.t <= hi).map((s) => s.rss);
  return median(inWindow);
}

async function soak({ origin, pids, headers, modelFast, modelPaced, durationSec, rate, streamEvery, timeoutMs = 30000, onProgress }) {
  const durationMs = durationSec * 1000;
  const pool = new Pool(origin, { connections: 256, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const plain = chatBody(modelFast);
  const streamed = chatBody(modelPaced, true);
  const counts = { requests: 0, streams: 0, ok: 0, non2xx: 0, errors: 0 };
  const firstErrors = [];
  let inFlight = 0;

  const fire = (i) => {
    // Every `streamEvery`-th request is a stream: the mix stays fixed whatever the duration.
    const stream = i % streamEvery === streamEvery - 1;
    if (stream) counts.streams++;
    else counts.requests++;
    inFlight++;
    pool
      .request({ method: 'POST', path: '/v1/chat/completions', headers, body: stream ? streamed : plain, signal: AbortSignal.timeout(timeoutMs) })
      .then(async (res) => {
        await res.body.dump({ limit: 1 << 20 });
        if (res.statusCode >= 200 && res.statusCode < 300) counts.ok++;
        else counts.non2xx++;
      })
      .catch((err) => {
        counts.errors++;
        if (firstErrors.length < 3) firstErrors.push(err.message);
      })
      .finally(() => inFlight--);
  };

  const sampler = startRssSampler(pids, 200, Math.ceil(durationMs / 200) + 1000);
  const cpu0 = cpuMicrosOf(pids);
  const progress = setInterval(() => onProgress?.(counts), 10_000);
  let dispatched;
  try {
    dispatched = await schedule({ rate, durationMs, maxCount: Math.ceil(rate * durationSec), fire });
    const stuck = await settle(() => inFlight, timeoutMs + 1000);
    counts.errors += stuck;
  } finally {
    clearInterval(progress);
  }
  let cpu1 = NaN;
  try {
    cpu1 = cpuMicrosOf(pids);
  } catch {
    // the process died; the caller checks that and says so
  }
  const { samples, peak } = sampler.stop();
  await pool.destroy();

  const afterWarmup = rssWindow(samples, durationMs, 0.15, 0.2);
  const atEnd = rssWindow(samples, durationMs, 0.95, 1.0);
  const done = counts.ok + counts.non2xx;
  return {
    durationSec,
    rate,
    streamShare: 1 / streamEvery,
    dispatched: dispatched.sent,
    ...counts,
    firstErrors,
    cpuMicrosPerRequest: done > 0 ? (cpu1 - cpu0) / done : NaN,
    rssStart: samples[0]?.rss ?? NaN,
    rssAfterWarmup: afterWarmup,
    rssEnd: atEnd,
    rssPeak: peak,
    growthPct: ((atEnd - afterWarmup) / afterWarmup) * 100,
    // A coarse curve for the JSON (one point per ~5% of the run) — enough to see a trend.
    rssCurve: samples.filter((_, i) => i % Math.max(1, Math.floor(samples.length / 20)) === 0).map((s) => ({ t: s.t, rss: s.rss })),
  };
}

module.exports = { soak };
