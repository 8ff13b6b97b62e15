'use strict';
/**
 * Non-streaming load: a closed loop at N connections for throughput (autocannon), and an open loop
 * at a fixed rate for latency and the gateway's own Server-Timing.
 *
 * Why not autocannon's `overallRate` for the fixed-rate figures: autocannon enforces the rate as a
 * per-connection quota per second (`reqsMadeThisSecond`), so each second starts with a burst of
 * back-to-back requests on every connection and then goes quiet. Latency under that pattern
 * measures queueing behind the burst, not behaviour at 1,000 req/s. The open loop below sends one
 * request every 1/rate seconds whatever the server does, so a slow server cannot slow the sender
 * down (no coordinated omission): a request that has to wait for a free connection waits in
 * undici's queue, inside its measured time. Latency starts when the request is handed to undici,
 * not at its nominal slot, so the ~1 ms granularity of the sender's timer is not billed to the
 * server.
 */
const autocannon = require('autocannon');
const { Pool } = require('undici');
const { summary } = require('./stats');

/** Runs autocannon, bounded by duration, a request cap and a watchdog that stops it regardless. */
function closedLoop({ url, headers, body, connections, durationSec, maxRequests }) {
  return new Promise((resolve, reject) => {
    // autocannon ignores `duration` when `amount` is set; `maxOverallRequests` caps the count while keeping the duration.
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers,
        body,
        connections,
        duration: durationSec,
        maxOverallRequests: Math.max(maxRequests, connections),
        timeout: 10,
      },
      (err, result) => {
        clearTimeout(watchdog);
        if (err) reject(err);
        else resolve(result);
      },
    );
    const watchdog = setTimeout(() => instance.stop(), (durationSec + 15) * 1000);
  });
}

/** Throughput at `connections` (closed loop): req/s completed, errors, autocannon's latency view. */
async function throughput(opts) {
  const r = await closedLoop(opts);
  const completed = r.requests.total;
  const ok = r['2xx'];
  return {
    connections: opts.connections,
    durationSec: r.duration,
    completed,
    ok,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    reqPerSec: r.duration > 0 ? ok / r.duration : 0,
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99 },
  };
}

/**
 * Calls `fire(i, scheduledAt)` `rate` times a second for `durationMs` (at most `maxCount` times).
 * Bounded in count and in time; returns once dispatching is over (requests may still be in flight).
 */
function schedule({ rate, durationMs, maxCount, fire }) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const interval = 1000 / rate;
    let sent = 0;
    const tick = () => {
      const elapsed = performance.now() - t0;
      if (elapsed >= durationMs || sent >= maxCount) {
        clearInterval(timer);
        resolve({ sent, elapsedMs: elapsed });
        return;
      }
      // Catch up after a late timer instead of silently sending less than the rate.
      const due = Math.min(maxCount, Math.floor(elapsed / interval) + 1);
      while (sent < due) {
        fire(sent, t0 + sent * interval);
        sent++;
      }
    };
    const timer = setInterval(tick, 1);
    tick();
  });
}

/** Waits until `pending()` is 0, bounded by `timeoutMs`; returns how many were still pending. */
async function settle(pending, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return pending();
}

const SERVER_TIMING = /gateway;dur=([\d.]+)(?:.*?upstream;dur=([\d.]+))?/;

/**
 * Open loop at `rate` req/s for `durationMs`: latency from dispatch to the last body byte,
 * and the gateway's self-reported time from `Server-Timing` when present.
 */
async function fixedRate({ origin, path, headers, body, rate, durationMs, connections = 64, timeoutMs = 10000 }) {
  const pool = new Pool(origin, { connections, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const latencies = [];
  const gatewayMs = [];
  const upstreamMs = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let inFlight = 0;
  const firstErrors = [];
  const fire = () => {
    const sentAt = performance.now();
    inFlight++;
    pool
      .request({ method: 'POST', path, headers, body })
      .then(async (res) => {
        await res.body.dump();
        const doneAt = performance.now();
        if (res.statusCode >= 200 && res.statusCode < 300) {
          ok++;
          latencies.push(doneAt - sentAt);
          const st = res.headers['server-timing'];
          const m = typeof st === 'string' ? SERVER_TIMING.exec(st) : null;
          if (m) {
            gatewayMs.push(Number(m[1]));
            if (m[2] !== undefined) upstreamMs.push(Number(m[2]));
          }
        } else {
          non2xx++;
        }
      })
      .catch((err) => {
        errors++;
        if (firstErrors.length < 3) firstErrors.push(err.message);
      })
      .finally(() => inFlight--);
  };
  const { sent, elapsedMs } = await schedule({ rate, durationMs, maxCount: Math.ceil((rate * durationMs) / 1000), fire });
  const stuck = await settle(() => inFlight, timeoutMs + 1000);
  await pool.destroy();
  return {
    rate,
    sent,
    achievedRate: (sent / elapsedMs) * 1000,
    ok,
    non2xx,
    errors: errors + stuck,
    firstErrors,
    latencyMs: summary(latencies),
    gatewayMs: summary(gatewayMs),
    upstreamMs: summary(upstreamMs),
  };
}

module.exports = { throughput, fixedRate, schedule, settle };
