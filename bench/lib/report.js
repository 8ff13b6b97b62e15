'use strict';
/**
 * Targets, the ✓/✗ verdicts, and the three renderings of one run: a text table for the terminal,
 * Markdown for bench/results/latest.md, and the JSON everything is derived from.
 */
const { round } = require('./stats');

const TARGETS = {
  cpuPerRequestUs: 200,
  overheadP50Ms: 0.3,
  overheadP99Ms: 1,
  throughputVsFloor: 0.35,
  streamAddedTtftP99Ms: 2,
  streamRssBytes: 300 * 1024 * 1024,
  soakGrowthPct: 5,
  modeCpuVsEmbedded: 1.5,
  /** A tenant key with limits and budgets on, against the admin key in memory. */
  limitsCpuVsEmbedded: 1.15,
  /** The usage ledger and request metrics on (c) against off (q), same stores. */
  ledgerCpuVsOff: 1.1,
  /** Redis round trips on a request's path for all its limits. */
  limitsRedisPerRequest: 1,
  /** Embedded throughput at 50 connections over the peer gateway's (bench/lib/peer.js), same run. */
  peerThroughputRatio: 10,
  /** Remote router (d) against embedded (b): CPU per request (gateway + router) and overhead p50. */
  routerCpuVsEmbedded: 1.2,
  routerOverheadP50Ms: 0.25,
  /** The whole pipeline (l: tenant key, limits, budgets, ledger, metrics) against the bare framework relay (r), at 50 connections. */
  pipelineCpuVsReference: 0.8,
  /** Streams opened over the ramp (1,000 over 2 s): gateway CPU per paced stream, and what it adds over direct. */
  streamCpuPerStreamUs: 500,
  streamRampAddedTtftP50Ms: 50,
  streamRampAddedTtftP99Ms: 250,
  streamRampAddedGapP99Ms: 5,
};

const MB = 1024 * 1024;
const fmt = (v, digits = 1) => (v === undefined || v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const fmtInt = (v) => (v === undefined || v === null || !Number.isFinite(v) ? '–' : Math.round(v).toLocaleString('en-US'));
const mb = (bytes) => fmt(bytes / MB, 0);
/** A difference with its sign: +0.30, -0.78. */
const signed = (v, digits) => `${v >= 0 ? '+' : ''}${fmt(v, digits)}`;
const mark = (pass) => (pass === undefined ? '' : pass ? ' ✓' : ' ✗');

/** Adds `checks` (name, value, target, pass) to the results: one line per figure that has a target. */
function evaluate(results) {
  const checks = [];
  const add = (name, value, target, pass, unit = '') =>
    checks.push({ name, value: round(value, 2), target, unit, pass: Number.isFinite(value) ? pass : false });
  const byId = Object.fromEntries(results.scenarios.map((s) => [s.id, s]));
  const floor = byId.direct?.throughput?.reqPerSec;
  const embedded = byId.embedded;
  const reference = byId.reference;
  for (const s of results.scenarios) {
    // (a), (r) and (p) are yardsticks, not Switchyard: no targets.
    if (!s.available || s.id === 'direct' || s.id === 'reference' || s.id === 'peer') continue;
    const t = s.throughput;
    const o = s.fixedRate?.gatewayMs;
    s.verdicts = {};
    if (t && floor) {
      const share = t.reqPerSec / floor;
      s.verdicts.throughput = share >= TARGETS.throughputVsFloor;
      add(
        `${s.id}: throughput ≥ ${TARGETS.throughputVsFloor * 100}% of direct`,
        share * 100,
        `≥ ${TARGETS.throughputVsFloor * 100}`,
        s.verdicts.throughput,
        '%',
      );
    }
    if (o && o.n > 0) {
      s.verdicts.overheadP50 = o.p50 <= TARGETS.overheadP50Ms;
      s.verdicts.overheadP99 = o.p99 <= TARGETS.overheadP99Ms;
      add(`${s.id}: overhead p50 @1k req/s`, o.p50, `≤ ${TARGETS.overheadP50Ms}`, s.verdicts.overheadP50, 'ms');
      add(`${s.id}: overhead p99 @1k req/s`, o.p99, `≤ ${TARGETS.overheadP99Ms}`, s.verdicts.overheadP99, 'ms');
    }
    if (s.id === 'embedded') {
      s.verdicts.cpu = s.cpuMicrosPerRequest.fixedRate <= TARGETS.cpuPerRequestUs;
      add('embedded: CPU per request @1k req/s', s.cpuMicrosPerRequest.fixedRate, `≤ ${TARGETS.cpuPerRequestUs}`, s.verdicts.cpu, 'µs');
    } else if (embedded?.available) {
      const ratio = s.cpuMicrosPerRequest.fixedRate / embedded.cpuMicrosPerRequest.fixedRate;
      const target =
        s.id === 'limits' || s.id === 'limits0' ? TARGETS.limitsCpuVsEmbedded : s.id === 'router' ? TARGETS.routerCpuVsEmbedded : TARGETS.modeCpuVsEmbedded;
      s.verdicts.cpu = ratio <= target;
      add(`${s.id}: CPU per request vs embedded`, ratio, `≤ ${target}×`, s.verdicts.cpu, '×');
    }
    if (s.id === 'router' && o && o.n > 0) {
      s.verdicts.routerOverheadP50 = o.p50 <= TARGETS.routerOverheadP50Ms;
      add('router: overhead p50 @1k req/s (remote router)', o.p50, `≤ ${TARGETS.routerOverheadP50Ms}`, s.verdicts.routerOverheadP50, 'ms');
    }
    if (s.id === 'limits' && reference?.available) {
      const ratio = s.cpuMicrosPerRequest.throughput / reference.cpuMicrosPerRequest.throughput;
      s.verdicts.cpuVsReference = ratio <= TARGETS.pipelineCpuVsReference;
      add(
        `limits (whole pipeline): CPU per request vs reference relay @${s.throughput.connections} conn`,
        ratio,
        `≤ ${TARGETS.pipelineCpuVsReference}×`,
        s.verdicts.cpuVsReference,
        '×',
      );
    }
    if (s.id === 'stores' && byId.quiet?.available) {
      const ratio = s.cpuMicrosPerRequest.fixedRate / byId.quiet.cpuMicrosPerRequest.fixedRate;
      s.verdicts.ledgerCpu = ratio <= TARGETS.ledgerCpuVsOff;
      add('stores: CPU per request, ledger and metrics on vs off (q)', ratio, `≤ ${TARGETS.ledgerCpuVsOff}×`, s.verdicts.ledgerCpu, '×');
    }
    if (s.redisPerRequest) {
      // The check-and-reserve is the request's one round trip; true-ups are batched off its path.
      s.verdicts.redis = s.redisPerRequest.checkAndAdd <= TARGETS.limitsRedisPerRequest && s.redisPerRequest.other < 0.01;
      add(`${s.id}: Redis round trips per request for limits`, s.redisPerRequest.checkAndAdd, `≤ ${TARGETS.limitsRedisPerRequest}`, s.verdicts.redis, '');
    }
  }
  const st = results.streaming;
  if (st?.added) {
    st.verdicts = {
      ttftP99: st.added.burst.ttftP99Ms <= TARGETS.streamAddedTtftP99Ms,
      rss: st.gatewayRssPeak <= TARGETS.streamRssBytes,
    };
    add(`streams (${st.count} at once): added TTFT p99`, st.added.burst.ttftP99Ms, `≤ ${TARGETS.streamAddedTtftP99Ms}`, st.verdicts.ttftP99, 'ms');
    add(`streams (${st.count} at once): gateway RSS peak`, st.gatewayRssPeak / MB, `≤ ${TARGETS.streamRssBytes / MB}`, st.verdicts.rss, 'MB');
    if (st.stores?.available) {
      st.verdicts.storesRss = st.stores.rssPeak <= TARGETS.streamRssBytes;
      add(`streams, gateway on Redis/PostgreSQL: RSS peak`, st.stores.rssPeak / MB, `≤ ${TARGETS.streamRssBytes / MB}`, st.verdicts.storesRss, 'MB');
    }
    const ramp = st.added.ramp;
    if (ramp) {
      const over = `${st.count} over ${st.rampMs / 1000} s`;
      st.verdicts.cpuPerStream = st.gatewayCpuPerStreamUs <= TARGETS.streamCpuPerStreamUs;
      st.verdicts.rampTtftP50 = ramp.ttftP50Ms <= TARGETS.streamRampAddedTtftP50Ms;
      st.verdicts.rampTtftP99 = ramp.ttftP99Ms <= TARGETS.streamRampAddedTtftP99Ms;
      st.verdicts.rampGapP99 = ramp.gapP99Ms <= TARGETS.streamRampAddedGapP99Ms;
      add(
        `streams (${over}): gateway CPU per ${st.chunksExpected}-chunk stream`,
        st.gatewayCpuPerStreamUs,
        `≤ ${TARGETS.streamCpuPerStreamUs}`,
        st.verdicts.cpuPerStream,
        'µs',
      );
      add(`streams (${over}): added TTFT p50`, ramp.ttftP50Ms, `≤ ${TARGETS.streamRampAddedTtftP50Ms}`, st.verdicts.rampTtftP50, 'ms');
      add(`streams (${over}): added TTFT p99`, ramp.ttftP99Ms, `≤ ${TARGETS.streamRampAddedTtftP99Ms}`, st.verdicts.rampTtftP99, 'ms');
      add(`streams (${over}): added inter-chunk p99`, ramp.gapP99Ms, `≤ ${TARGETS.streamRampAddedGapP99Ms}`, st.verdicts.rampGapP99, 'ms');
    }
  }
  const so = results.soak;
  if (so && Number.isFinite(so.growthPct)) {
    so.verdict = so.growthPct <= TARGETS.soakGrowthPct;
    add(`soak (${so.durationSec} s): RSS growth after warm-up`, so.growthPct, `≤ ${TARGETS.soakGrowthPct}`, so.verdict, '%');
  }
  // Switchyard against the peer gateway, both at the same 50 connections against the same fake.
  const peer = byId.peer;
  if (embedded?.available && peer?.available) {
    const ratio = embedded.throughput.reqPerSec / peer.throughput.reqPerSec;
    const pass = ratio >= TARGETS.peerThroughputRatio;
    const cpu = (key) => {
      const p = peer.cpuMicrosPerRequest[key];
      const e = embedded.cpuMicrosPerRequest[key];
      return Number.isFinite(p) && Number.isFinite(e) ? round(p / e, 2) : undefined;
    };
    results.peerComparison = {
      name: peer.peer?.name,
      version: peer.peer?.version,
      throughputRatio: round(ratio, 2),
      peerCpuVsEmbedded: { throughput: cpu('throughput'), fixedRate: cpu('fixedRate') },
      pass,
    };
    add(
      `embedded: throughput vs peer (${peer.peer?.name} ${peer.peer?.version}) @${embedded.throughput.connections} conn`,
      ratio,
      `≥ ${TARGETS.peerThroughputRatio}×`,
      pass,
      '×',
    );
  } else {
    delete results.peerComparison;
  }
  // Informational: how much more CPU per request the embedded gateway spends than the bare framework relay.
  if (embedded?.available && reference?.available) {
    const e = embedded.cpuMicrosPerRequest;
    const r = reference.cpuMicrosPerRequest;
    results.referenceComparison = {
      embeddedCpuVsReference: { fixedRate: round(e.fixedRate / r.fixedRate, 2), throughput: round(e.throughput / r.throughput, 2) },
    };
  } else {
    delete results.referenceComparison;
  }
  results.targets = TARGETS;
  results.checks = checks;
  return results;
}

/** "embedded CPU vs reference relay: N×" at 1k req/s and at 50 connections, or undefined. */
function referenceLine(results) {
  const c = results.referenceComparison?.embeddedCpuVsReference;
  if (!c) return undefined;
  const byId = Object.fromEntries(results.scenarios.map((s) => [s.id, s]));
  const e = byId.embedded.cpuMicrosPerRequest;
  const r = byId.reference.cpuMicrosPerRequest;
  const conns = byId.embedded.throughput?.connections ?? results.settings?.connections;
  return (
    `embedded CPU vs reference relay: ${fmt(c.fixedRate, 2)}× at ${fmtInt(results.settings?.rate ?? 1000)} req/s (${fmt(e.fixedRate, 0)} vs ${fmt(r.fixedRate, 0)} µs/req), ` +
    `${fmt(c.throughput, 2)}× at ${conns} connections (${fmt(e.throughput, 0)} vs ${fmt(r.throughput, 0)} µs/req) — informational, no target`
  );
}

/** Rows (arrays of cells) for the scenario table. */
function scenarioRows(results) {
  const header = [
    'scenario',
    'req/s @50 conn',
    'vs floor',
    'latency p50 / p99 @1k (ms) (+ vs direct)',
    'overhead p50 / p99 (ms)',
    'CPU µs/req @1k (@50 conn)',
    'RSS rest / load (MB)',
    'errors',
    'foreign CPU %',
  ];
  const direct = results.scenarios.find((s) => s.id === 'direct');
  const floor = direct?.throughput?.reqPerSec;
  const rows = results.scenarios.map((s) => {
    if (!s.available) return [`${s.label} *`, 'n/a', '', '', '', '', '', '', ''];
    const v = s.verdicts ?? {};
    const t = s.throughput;
    const f = s.fixedRate;
    const share = floor ? `${fmt((t.reqPerSec / floor) * 100, 0)}%${mark(v.throughput)}` : '–';
    // No fixed-rate load (a peer that cannot answer that rate): its cells say so, the footnote why.
    const overhead = f?.gatewayMs.n > 0 ? `${fmt(f.gatewayMs.p50, 3)}${mark(v.overheadP50)} / ${fmt(f.gatewayMs.p99, 3)}${mark(v.overheadP99)}` : 'n/a';
    const cpu = `${f ? fmt(s.cpuMicrosPerRequest.fixedRate, 0) : 'not run'}${mark(v.cpu)} (${fmt(s.cpuMicrosPerRequest.throughput, 0)})`;
    const errs = t.non2xx + t.errors + (f ? f.non2xx + f.errors : 0);
    return [
      s.label + (s.note ? ` *` : ''),
      fmtInt(t.reqPerSec),
      s.id === 'direct' ? 'floor' : share,
      // What the gateway adds end to end, beside its own Server-Timing: event-loop stalls (GC) show here only.
      !f
        ? 'not run'
        : s.id === 'direct' || !direct?.available
          ? `${fmt(f.latencyMs.p50, 2)} / ${fmt(f.latencyMs.p99, 2)}`
          : `${fmt(f.latencyMs.p50, 2)} / ${fmt(f.latencyMs.p99, 2)} (${signed(f.latencyMs.p50 - direct.fixedRate.latencyMs.p50, 2)} / ${signed(f.latencyMs.p99 - direct.fixedRate.latencyMs.p99, 2)})`,
      overhead,
      cpu,
      `${mb(s.rssRest)} / ${mb(s.rssLoadPeak)}`,
      String(errs),
      `${fmt(s.foreignCpuPct.throughput, 0)} / ${fmt(s.foreignCpuPct.fixedRate, 0)}`,
    ];
  });
  return { header, rows };
}

/**
 * Switchyard beside the peer gateway under the same closed loop (50 connections): the load both
 * can be measured at, whatever rate the peer sustains. Undefined when the peer did not run.
 */
function peerRows(results) {
  const c = results.peerComparison;
  if (!c) return undefined;
  const byId = Object.fromEntries(results.scenarios.map((s) => [s.id, s]));
  const conns = byId.embedded.throughput.connections;
  const header = [`@${conns} connections, same fake`, 'req/s', 'latency p50 / p99 (ms)', 'CPU µs/req', 'RSS rest / load (MB)', 'errors'];
  const row = (label, s) => [
    label,
    fmtInt(s.throughput.reqPerSec),
    `${fmt(s.throughput.latencyMs.p50, 1)} / ${fmt(s.throughput.latencyMs.p99, 1)}`,
    fmt(s.cpuMicrosPerRequest.throughput, 0),
    `${mb(s.rssRest)} / ${mb(s.rssLoadPeak)}`,
    String(s.throughput.non2xx + s.throughput.errors),
  ];
  const rows = [row('Switchyard (b. embedded)', byId.embedded)];
  if (byId.reference?.available) rows.push(row('r. plain NestJS relay (reference)', byId.reference));
  rows.push(row(`${c.name} ${c.version} (peer)`, byId.peer));
  return { header, rows };
}

/** "embedded vs <peer> at 50 connections: N× the throughput ✓, the peer's CPU per request M× embedded's". */
function peerLine(results) {
  const c = results.peerComparison;
  if (!c) return undefined;
  const byId = Object.fromEntries(results.scenarios.map((s) => [s.id, s]));
  const cpu = c.peerCpuVsEmbedded;
  const conns = byId.embedded.throughput.connections;
  return (
    `embedded vs ${c.name} ${c.version} at ${conns} connections: ${fmt(c.throughputRatio, 2)}× the throughput${mark(c.pass)} (target ≥ ${TARGETS.peerThroughputRatio}×), ` +
    `the peer's CPU per request ${fmt(cpu.throughput, 2)}× embedded's` +
    (Number.isFinite(cpu.fixedRate) ? ` (${fmt(cpu.fixedRate, 2)}× at ${fmtInt(results.settings?.rate ?? 1000)} req/s)` : '')
  );
}

function streamingRows(results) {
  const st = results.streaming;
  if (!st) return undefined;
  const header = ['streams', 'direct', 'gateway', 'added', 'target'];
  const p = st.peer?.available ? st.peer : undefined;
  if (p) header.push(`peer: ${p.name} ${p.version}`, 'peer added');
  const d = st.direct.burst;
  const g = st.gateway.burst;
  const a = st.added.burst;
  const v = st.verdicts ?? {};
  const rows = [
    [`TTFT p50 (ms), ${st.count} at once`, fmt(d.ttftMs.p50, 1), fmt(g.ttftMs.p50, 1), fmt(a.ttftP50Ms, 2), ''],
    [
      `TTFT p99 (ms), ${st.count} at once`,
      fmt(d.ttftMs.p99, 1),
      fmt(g.ttftMs.p99, 1),
      fmt(a.ttftP99Ms, 2) + mark(v.ttftP99),
      `≤ ${TARGETS.streamAddedTtftP99Ms}`,
    ],
    [
      'inter-chunk p50 / p99 (ms)',
      `${fmt(d.gapMs.p50, 1)} / ${fmt(d.gapMs.p99, 1)}`,
      `${fmt(g.gapMs.p50, 1)} / ${fmt(g.gapMs.p99, 1)}`,
      `p99 ${fmt(a.gapP99Ms, 2)}`,
      '',
    ],
    [
      `median arrival span (ms), expected ≈ ${st.expectedSpanMs}`,
      fmt(d.medianSpanMs, 0),
      fmt(g.medianSpanMs, 0),
      fmt(g.medianSpanMs - d.medianSpanMs, 1),
      'relayed as they come',
    ],
    ['content chunks per stream (p50)', fmt(d.chunksPerStream.p50, 0), fmt(g.chunksPerStream.p50, 0), '', String(st.chunksExpected)],
    ['completed / errors', `${d.completed} / ${d.errors}`, `${g.completed} / ${g.errors}`, '', ''],
    ['foreign CPU %', fmt(d.foreignCpuPct, 0), fmt(g.foreignCpuPct, 0), '', ''],
  ];
  const ramped = st.direct.ramp && st.gateway.ramp;
  if (ramped) {
    const dr = st.direct.ramp;
    const gr = st.gateway.ramp;
    const ar = st.added.ramp;
    rows.push(
      [
        `TTFT p50 / p99 (ms), ${st.count} opened over ${st.rampMs} ms`,
        `${fmt(dr.ttftMs.p50, 1)} / ${fmt(dr.ttftMs.p99, 1)}`,
        `${fmt(gr.ttftMs.p50, 1)} / ${fmt(gr.ttftMs.p99, 1)}`,
        `${fmt(ar.ttftP50Ms, 2)}${mark(v.rampTtftP50)} / ${fmt(ar.ttftP99Ms, 2)}${mark(v.rampTtftP99)}`,
        `≤ ${TARGETS.streamRampAddedTtftP50Ms} / ≤ ${TARGETS.streamRampAddedTtftP99Ms}`,
      ],
      [
        `inter-chunk p50 / p99 (ms), opened over ${st.rampMs} ms`,
        `${fmt(dr.gapMs.p50, 1)} / ${fmt(dr.gapMs.p99, 1)}`,
        `${fmt(gr.gapMs.p50, 1)} / ${fmt(gr.gapMs.p99, 1)}`,
        `p99 ${fmt(ar.gapP99Ms, 2)}${mark(v.rampGapP99)}`,
        `≤ ${TARGETS.streamRampAddedGapP99Ms}`,
      ],
      [
        `CPU µs per ${st.chunksExpected}-chunk stream, opened over ${st.rampMs} ms (direct: the fake's own)`,
        fmt(st.fakeCpuPerStreamUs, 0),
        fmt(st.gatewayCpuPerStreamUs, 0) + mark(v.cpuPerStream),
        '',
        `≤ ${TARGETS.streamCpuPerStreamUs}`,
      ],
    );
  }
  rows.push(['gateway RSS rest / peak (MB)', '', `${mb(st.gatewayRssRest)} / ${mb(st.gatewayRssPeak)}${mark(v.rss)}`, '', `≤ ${TARGETS.streamRssBytes / MB}`]);
  const so = st.stores;
  if (so?.available) {
    // The same streams through a gateway on Redis/PostgreSQL (no embedded database in the process).
    rows.push(
      [
        'with Redis/PostgreSQL: gateway RSS rest / peak (MB)',
        '',
        `${mb(so.rssRest)} / ${mb(so.rssPeak)}${mark(v.storesRss)}`,
        '',
        `≤ ${TARGETS.streamRssBytes / MB}`,
      ],
      [
        `with Redis/PostgreSQL: CPU µs per stream; added TTFT p50 / p99, inter-chunk p99 (ms), opened over ${st.rampMs} ms`,
        '',
        so.added.ramp
          ? `${fmt(so.cpuPerStreamUs, 0)}; ${fmt(so.added.ramp.ttftP50Ms, 2)} / ${fmt(so.added.ramp.ttftP99Ms, 2)}, ${fmt(so.added.ramp.gapP99Ms, 2)}`
          : '',
        '',
        '',
      ],
    );
  }
  if (p) {
    // The peer's column, row by row in the order above (no targets: it is a yardstick).
    const pb = p.burst;
    const pa = p.added.burst;
    const cells = [
      [fmt(pb.ttftMs.p50, 1), fmt(pa.ttftP50Ms, 2)],
      [fmt(pb.ttftMs.p99, 1), fmt(pa.ttftP99Ms, 2)],
      [`${fmt(pb.gapMs.p50, 1)} / ${fmt(pb.gapMs.p99, 1)}`, `p99 ${fmt(pa.gapP99Ms, 2)}`],
      [fmt(pb.medianSpanMs, 0), fmt(pb.medianSpanMs - d.medianSpanMs, 1)],
      [fmt(pb.chunksPerStream.p50, 0), ''],
      [`${pb.completed} / ${pb.errors}`, ''],
      [fmt(pb.foreignCpuPct, 0), ''],
    ];
    if (ramped) {
      const has = p.ramp && p.added.ramp;
      cells.push(
        has
          ? [`${fmt(p.ramp.ttftMs.p50, 1)} / ${fmt(p.ramp.ttftMs.p99, 1)}`, `${fmt(p.added.ramp.ttftP50Ms, 2)} / ${fmt(p.added.ramp.ttftP99Ms, 2)}`]
          : ['', ''],
        has ? [`${fmt(p.ramp.gapMs.p50, 1)} / ${fmt(p.ramp.gapMs.p99, 1)}`, `p99 ${fmt(p.added.ramp.gapP99Ms, 2)}`] : ['', ''],
        [fmt(p.cpuPerStreamUs, 0), ''],
      );
    }
    cells.push([`${mb(p.rssRest)} / ${mb(p.rssPeak)}`, '']);
    rows.forEach((r, i) => r.push(...(cells[i] ?? ['', ''])));
  }
  return { header, rows };
}

/** Why the peer's streaming column is missing, when it is. */
function streamingPeerNote(results) {
  const p = results.streaming?.peer;
  return p && !p.available ? `peer gateway (${p.name}) streams: ${p.note}` : undefined;
}

function soakRows(results) {
  const so = results.soak;
  if (!so) return undefined;
  const header = ['soak', 'value'];
  const rows = [
    ['duration / rate', `${so.durationSec} s at ${so.rate} req/s (${fmt(so.streamShare * 100, 0)}% streams)`],
    ['requests + streams / errors', `${fmtInt(so.requests)} + ${fmtInt(so.streams)} / ${so.non2xx + so.errors}`],
    ['RSS after warm-up (20%) → end (MB)', `${mb(so.rssAfterWarmup)} → ${mb(so.rssEnd)} (peak ${mb(so.rssPeak)})`],
    ['RSS growth after warm-up', `${fmt(so.growthPct, 2)}%${mark(so.verdict)} (target ≤ ${TARGETS.soakGrowthPct}%)`],
    ['gateway CPU µs per request (mixed)', fmt(so.cpuMicrosPerRequest, 0)],
    ['foreign CPU %', fmt(so.foreignCpuPct, 0)],
  ];
  return { header, rows };
}

function textTable({ header, rows }) {
  const width = (s) => [...String(s)].length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells) => cells.map((c, i) => String(c ?? '') + ' '.repeat(widths[i] - width(c ?? ''))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable({ header, rows }) {
  const esc = (c) => String(c ?? '').replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function notes(results) {
  return results.scenarios.filter((s) => s.note).map((s) => `${s.label}: ${s.note}`);
}

const NOISY_PCT = 10;

/** The largest share of the machine other processes took during any measured phase. */
function maxForeign(results) {
  const values = [results.foreignCpuPctBeforeStart];
  for (const s of results.scenarios) if (s.foreignCpuPct) values.push(s.foreignCpuPct.throughput, s.foreignCpuPct.fixedRate);
  const st = results.streaming;
  if (st) values.push(st.direct.burst.foreignCpuPct, st.gateway.burst.foreignCpuPct, st.direct.ramp?.foreignCpuPct, st.gateway.ramp?.foreignCpuPct);
  if (st?.peer?.available) values.push(st.peer.burst.foreignCpuPct, st.peer.ramp?.foreignCpuPct);
  if (results.soak) values.push(results.soak.foreignCpuPct);
  return Math.max(0, ...values.filter((v) => Number.isFinite(v)));
}

function noiseWarning(results) {
  const worst = maxForeign(results);
  if (worst <= NOISY_PCT) return undefined;
  return (
    `Other processes used up to ${fmt(worst, 0)}% of the machine's CPU while this ran ("foreign CPU", % of all cores): ` +
    'throughput, latency tails and CPU per request are pessimistic; re-run on a quiet machine before comparing.'
  );
}

function machineLine(m) {
  return `${m.cpuModel}, ${m.cores} cores, ${fmt(m.memoryBytes / 1024 ** 3, 1)} GiB, Node ${m.node}, ${m.kernel}`;
}

function renderText(results) {
  const parts = [
    `Switchyard benchmark (${results.mode}) — ${results.date}${results.machine.commit ? ` @ ${results.machine.commit}` : ''}`,
    machineLine(results.machine),
    '',
  ];
  parts.push(textTable(scenarioRows(results)));
  for (const n of notes(results)) parts.push(`  * ${n}`);
  const ref = referenceLine(results);
  if (ref) parts.push(`  ${ref}`);
  const warning = noiseWarning(results);
  if (warning) parts.push(`  ⚠ ${warning}`);
  const pr = peerRows(results);
  if (pr) parts.push('', textTable(pr), `  ${peerLine(results)}`);
  const st = streamingRows(results);
  if (st) parts.push('', textTable(st));
  const spn = streamingPeerNote(results);
  if (spn) parts.push(`  * ${spn}`);
  const so = soakRows(results);
  if (so) parts.push('', textTable(so));
  parts.push('', 'targets:');
  for (const c of results.checks)
    parts.push(`  ${c.pass ? '✓' : '✗'} ${c.name}: ${c.value}${c.unit === '×' ? '×' : ` ${c.unit}`} (target ${c.target}${c.unit === '×' ? '' : ` ${c.unit}`})`);
  return parts.join('\n');
}

function renderMarkdown(results) {
  const passed = results.checks.filter((c) => c.pass).length;
  const parts = [
    `# Switchyard benchmark — ${results.date} (${results.mode})`,
    '',
    `Machine: ${machineLine(results.machine)}${results.machine.commit ? `; commit \`${results.machine.commit}\`` : ''}.`,
    `Generated by \`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\`${results.settings.soakSeconds ? ` (soak ${results.settings.soakSeconds} s)` : ''}. How to read it: [bench/README.md](../README.md).`,
    '',
    `**${passed} / ${results.checks.length} targets met.**`,
    '',
    '## Non-streaming `POST /v1/chat/completions`',
    '',
    markdownTable(scenarioRows(results)),
  ];
  const n = notes(results);
  if (n.length > 0) parts.push('', ...n.map((x) => `\\* ${x}`));
  const ref = referenceLine(results);
  if (ref) parts.push('', ref);
  const warning = noiseWarning(results);
  if (warning) parts.push('', `> ⚠ ${warning}`);
  const pr = peerRows(results);
  if (pr) parts.push('', '## Side by side with a peer gateway', '', markdownTable(pr), '', peerLine(results));
  const st = streamingRows(results);
  if (st)
    parts.push(
      '',
      `## Streaming (${results.streaming.count} concurrent, fake TTFT ${results.streaming.ttftMs} ms, ${results.streaming.interChunkMs} ms between chunks)`,
      '',
      markdownTable(st),
    );
  const spn = streamingPeerNote(results);
  if (spn) parts.push('', `\\* ${spn}`);
  const so = soakRows(results);
  if (so) parts.push('', '## Soak', '', markdownTable(so));
  parts.push(
    '',
    '## Targets',
    '',
    markdownTable({
      header: ['', 'check', 'value', 'target'],
      rows: results.checks.map((c) => [
        c.pass ? '✓' : '✗',
        c.name,
        c.unit === '×' ? `${c.value}×` : `${c.value} ${c.unit}`,
        c.unit === '×' ? c.target : `${c.target} ${c.unit}`,
      ]),
    }),
  );
  return `${parts.join('\n')}\n`;
}

// Re-renders the tables of a saved run (after a change to this file) without measuring again:
//   node bench/lib/report.js bench/results/<date>.json [--write]   (--write updates latest.md / latest-quick.md)
if (require.main === module) {
  const fs = require('node:fs');
  const path = require('node:path');
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node bench/lib/report.js <results.json> [--write]\n');
    process.exit(2);
  }
  const results = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const s of results.scenarios) delete s.verdicts;
  evaluate(results);
  process.stdout.write(`${renderText(results)}\n`);
  if (process.argv.includes('--write')) {
    const md = path.join(path.dirname(file), results.mode === 'quick' ? 'latest-quick.md' : 'latest.md');
    fs.writeFileSync(md, renderMarkdown(results));
    process.stderr.write(`wrote ${md}\n`);
  }
}

module.exports = { TARGETS, evaluate, renderText, renderMarkdown };
