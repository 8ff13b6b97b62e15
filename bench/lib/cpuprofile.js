'use strict';
/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function, and self and
 * inclusive time by package, optionally restricted to a time window (so start-up and warm-up can
 * be left out).
 *
 *   node bench/lib/cpuprofile.js <file.cpuprofile> [--from-ms N] [--to-ms N] [--top N]
 *   node bench/lib/cpuprofile.js <file.cpuprofile> --callers <functionName>   (who calls it, by self time)
 */
const fs = require('node:fs');
const path = require('node:path');

const SOCKET_NATIVES = new Set([
  'writev',
  'writeBuffer',
  'writeUtf8String',
  'writeLatin1String',
  'writeAsciiString',
  'writeUcs2String',
  'shutdown',
  'readStart',
  'readStop',
  'close',
  'connect',
  'setNoDelay',
  'setKeepAlive',
]);

/** Which "package" a frame belongs to: an npm package, a Switchyard app/lib, a Node core area, or V8. */
function packageOf(url, functionName) {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'V8: garbage collector';
    if (functionName === '(program)') return 'V8/native: (program)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(root)') return '(root)';
    // Native stream/socket bindings: their self time is mostly the syscall, and on loopback TCP the
    // kernel delivers the data to the peer socket inside that same syscall.
    if (SOCKET_NATIVES.has(functionName)) return 'native: socket syscalls';
    return 'native: V8 builtins & bindings (JSON, RegExp, microtasks, ...)';
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  let m = url.match(/\/dist(?:-\d+)?\/apps\/([^/]+)\//);
  if (m) return `switchyard: apps/${m[1]}`;
  m = url.match(/\/dist(?:-\d+)?\/libs\/([^/]+)\//);
  if (m) return `switchyard: libs/${m[1]}`;
  if (url.startsWith('node:')) {
    const mod = url.slice(5);
    if (/http|_http_/.test(mod)) return 'node core: http';
    if (/stream/.test(mod)) return 'node core: streams';
    if (/net|tcp|dns/.test(mod)) return 'node core: net';
    if (/timers/.test(mod)) return 'node core: timers';
    if (/abort_controller|event_target/.test(mod)) return 'node core: AbortSignal/EventTarget';
    if (/^events$|internal\/events/.test(mod)) return 'node core: EventEmitter';
    if (/crypto/.test(mod)) return 'node core: crypto';
    if (/process\/task_queues|async_hooks|promise/.test(mod)) return 'node core: microtasks/async';
    return 'node core: other';
  }
  return `other: ${path.basename(url)}`;
}

/**
 * Aggregates samples whose time (ms since the profile started) lies in [fromMs, toMs].
 * Self time comes from `timeDeltas` (actual sampling intervals), not from hit counts.
 */
function aggregate(profile, { fromMs = 0, toMs = Infinity } = {}) {
  const nodes = new Map();
  const parent = new Map();
  for (const n of profile.nodes) {
    nodes.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const pkgOfNode = new Map();
  for (const n of profile.nodes) pkgOfNode.set(n.id, packageOf(n.callFrame.url, n.callFrame.functionName));

  const selfByNode = new Map();
  let t = 0;
  let idle = 0;
  let total = 0;
  const inclusivePkg = new Map();
  const samples = profile.samples;
  const deltas = profile.timeDeltas;
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] / 1000;
    // A sample's interval is the time until the next sample.
    const dt = (i + 1 < deltas.length ? deltas[i + 1] : 0) / 1000;
    if (t < fromMs || t > toMs || dt <= 0) continue;
    const id = samples[i];
    const pkg = pkgOfNode.get(id);
    if (pkg === '(idle)') {
      idle += dt;
      continue;
    }
    total += dt;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + dt);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const p = pkgOfNode.get(cur);
      if (p === '(root)' || seen.has(p)) continue;
      seen.add(p);
      inclusivePkg.set(p, (inclusivePkg.get(p) ?? 0) + dt);
    }
  }

  const byFunction = new Map();
  const byPackage = new Map();
  for (const [id, ms] of selfByNode) {
    const cf = nodes.get(id).callFrame;
    const pkg = pkgOfNode.get(id);
    const file = cf.url
      ? cf.url
          .replace(/^.*\/node_modules\//, '')
          .replace(/^.*\/dist(?:-\d+)?\//, 'dist/')
          .replace(/^file:\/\//, '')
      : '';
    const key = `${cf.functionName || '(anonymous)'} ${file}${file ? `:${cf.lineNumber + 1}` : ''}`;
    const f = byFunction.get(key) ?? { name: cf.functionName || '(anonymous)', where: file ? `${file}:${cf.lineNumber + 1}` : '', pkg, ms: 0 };
    f.ms += ms;
    byFunction.set(key, f);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
  }
  const pct = (ms) => (total > 0 ? (ms / total) * 100 : 0);
  return {
    busyMs: total,
    idleMs: idle,
    functions: [...byFunction.values()].sort((a, b) => b.ms - a.ms).map((f) => ({ ...f, pct: pct(f.ms) })),
    packages: [...byPackage.entries()].sort((a, b) => b[1] - a[1]).map(([pkg, ms]) => ({ pkg, ms, pct: pct(ms) })),
    packagesInclusive: [...inclusivePkg.entries()].sort((a, b) => b[1] - a[1]).map(([pkg, ms]) => ({ pkg, ms, pct: pct(ms) })),
  };
}

/**
 * Inclusive time of code regions: for each `{ label, test(callFrame) }`, the busy time of samples
 * with at least one matching frame on their stack. Synchronous stacks only: work a region starts
 * that runs in a later tick (a promise continuation, a socket callback) is not counted in it.
 */
function inclusiveBy(profile, regions, { fromMs = 0, toMs = Infinity } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map(); // node id -> bitmask of regions on its stack
  const maskOf = (id) => {
    if (memo.has(id)) return memo.get(id);
    const cf = nodes.get(id).callFrame;
    let mask = 0;
    regions.forEach((r, i) => {
      if (r.test(cf)) mask |= 1 << i;
    });
    const up = parent.get(id);
    if (up !== undefined) mask |= maskOf(up);
    memo.set(id, mask);
    return mask;
  };
  const totals = regions.map(() => 0);
  let busy = 0;
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] / 1000;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (t < fromMs || t > toMs || dt <= 0) continue;
    const id = profile.samples[i];
    if (nodes.get(id).callFrame.functionName === '(idle)') continue;
    busy += dt;
    const mask = maskOf(id);
    regions.forEach((_, k) => {
      if (mask & (1 << k)) totals[k] += dt;
    });
  }
  return regions.map((r, k) => ({ label: r.label, ms: totals[k], pct: busy > 0 ? (totals[k] / busy) * 100 : 0 }));
}

/** Self time of functions named `name`, grouped by their nearest `depth` callers. */
function callersOf(profile, name, { fromMs = 0, toMs = Infinity, depth = 3 } = {}) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map();
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] / 1000;
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (t < fromMs || t > toMs) continue;
    const id = profile.samples[i];
    if (nodes.get(id).callFrame.functionName !== name) continue;
    const chain = [];
    for (let cur = parent.get(id); cur !== undefined && chain.length < depth; cur = parent.get(cur)) {
      const cf = nodes.get(cur).callFrame;
      chain.push(
        `${cf.functionName || '(anonymous)'} (${cf.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist(?:-\d+)?\//, 'dist/')}:${cf.lineNumber + 1})`,
      );
    }
    const key = chain.join(' ← ');
    out.set(key, (out.get(key) ?? 0) + dt);
  }
  return [...out.entries()].sort((a, b) => b[1] - a[1]).map(([chain, ms]) => ({ chain, ms }));
}

function renderSummary(agg, { top = 25, title = 'CPU profile' } = {}) {
  const lines = [];
  const busyShare = (agg.busyMs / (agg.busyMs + agg.idleMs)) * 100;
  lines.push(
    `## ${title}`,
    '',
    `Busy ${(agg.busyMs / 1000).toFixed(2)} s, idle ${(agg.idleMs / 1000).toFixed(2)} s (main thread busy ${busyShare.toFixed(0)}% of the window). Percentages are of busy time.`,
    '',
  );
  lines.push('### Self time by package', '', '| package | self | self % | inclusive % |', '|---|---:|---:|---:|');
  const incl = new Map(agg.packagesInclusive.map((p) => [p.pkg, p.pct]));
  for (const p of agg.packages.slice(0, 30)) lines.push(`| ${p.pkg} | ${p.ms.toFixed(0)} ms | ${p.pct.toFixed(1)} | ${(incl.get(p.pkg) ?? 0).toFixed(1)} |`);
  lines.push('', `### Top ${top} functions by self time`, '', '| self % | function | where | package |', '|---:|---|---|---|');
  for (const f of agg.functions.slice(0, top)) lines.push(`| ${f.pct.toFixed(1)} | \`${f.name}\` | ${f.where} | ${f.pkg} |`);
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--') && !/^\d/.test(a));
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : undefined;
  };
  if (!file) {
    process.stderr.write('usage: node bench/lib/cpuprofile.js <file.cpuprofile> [--from-ms N] [--to-ms N] [--top N] [--callers NAME]\n');
    process.exit(2);
  }
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const window = { fromMs: opt('--from-ms') ?? 0, toMs: opt('--to-ms') ?? Infinity };
  const callers = args.indexOf('--callers');
  if (callers >= 0) {
    for (const c of callersOf(profile, args[callers + 1], window).slice(0, 10)) process.stdout.write(`${c.ms.toFixed(0)} ms  ${c.chain}\n`);
  } else {
    const agg = aggregate(profile, window);
    process.stdout.write(`${renderSummary(agg, { top: opt('--top') ?? 25, title: path.basename(file) })}\n`);
  }
}

module.exports = { aggregate, inclusiveBy, callersOf, renderSummary, packageOf };
