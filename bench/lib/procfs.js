'use strict';
/**
 * What the kernel knows about a process: CPU time and resident memory, read from /proc so that
 * the figures are the ones an operator would see, not what the process says about itself.
 */
const fs = require('node:fs');
const os = require('node:os');
const { execFileSync } = require('node:child_process');

let clkTck;
/** Clock ticks per second of utime/stime (`getconf CLK_TCK`, 100 on practically every Linux). */
function clockTicks() {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** utime + stime of the whole process (all threads: libuv's pool and GC helpers count too), in µs. */
function cpuMicros(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; everything after its closing ')' is fixed-format.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
  return (ticks * 1e6) / clockTicks();
}

/** utime and stime apart (µs): how much of a process's CPU the kernel spent for it (syscalls, loopback TCP). */
function cpuSplit(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1e6) / clockTicks(), system: (Number(fields[12]) * 1e6) / clockTicks() };
}

/** Sum of cpuMicros over several pids (the system under test may be more than one process). */
function cpuMicrosOf(pids) {
  let total = 0;
  for (const pid of pids) total += cpuMicros(pid);
  return total;
}

function statusField(pid, field) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Resident set size in bytes. */
const rssBytes = (pid) => statusField(pid, 'VmRSS');
const rssOf = (pids) => pids.reduce((sum, pid) => sum + rssBytes(pid), 0);

/**
 * Samples the summed RSS of `pids` every `intervalMs` until stopped. A sampler is bounded by
 * `maxSamples` so a forgotten one cannot grow without end.
 */
function startRssSampler(pids, intervalMs = 200, maxSamples = 100_000) {
  const t0 = Date.now();
  const samples = [];
  const take = () => {
    try {
      samples.push({ t: Date.now() - t0, rss: rssOf(pids) });
    } catch {
      // process gone; the caller notices that elsewhere
    }
    if (samples.length >= maxSamples) clearInterval(timer);
  };
  const timer = setInterval(take, intervalMs);
  take();
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      const peak = samples.reduce((m, s) => Math.max(m, s.rss), 0);
      return { peak, samples };
    },
  };
}

/** Busy and total CPU time of the whole machine (all cores), in µs, from the first line of /proc/stat. */
function machineCpuMicros() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = f[3] + f[4]; // idle + iowait
  const k = 1e6 / clockTicks();
  return { busy: (total - idle) * k, total: total * k };
}

/**
 * How much of the machine *other* processes used while we measured: machine busy time minus the
 * CPU of our own processes (`ownPids()`, read at both ends), as a % of all cores. On a shared
 * 2-core box a neighbour's test run halves the gateway's throughput, and the report should say so
 * rather than publish it as the gateway's figure.
 */
function startNoiseMeter(ownPids) {
  const own = () => {
    let sum = 0;
    for (const pid of ownPids()) {
      try {
        sum += cpuMicros(pid);
      } catch {
        // exited meanwhile
      }
    }
    return sum;
  };
  const m0 = machineCpuMicros();
  const o0 = own();
  return {
    stop() {
      const m1 = machineCpuMicros();
      const ownUs = own() - o0;
      const total = m1.total - m0.total;
      if (total <= 0) return 0;
      return Math.max(0, ((m1.busy - m0.busy - ownUs) / total) * 100);
    },
  };
}

/** Soft limit on open files for this process (children inherit it). */
function openFileLimit() {
  try {
    const limits = fs.readFileSync('/proc/self/limits', 'utf8');
    const m = limits.match(/^Max open files\s+(\d+|unlimited)/m);
    if (m) return m[1] === 'unlimited' ? Infinity : Number(m[1]);
  } catch {
    // not Linux
  }
  return NaN;
}

function machineInfo() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (m) cpuModel = m[1].trim();
  } catch {
    // keep os.cpus()
  }
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    commit = undefined;
  }
  return {
    cpuModel,
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    clockTicks: clockTicks(),
    openFileLimit: openFileLimit(),
    commit,
  };
}

module.exports = { cpuMicros, cpuSplit, cpuMicrosOf, rssBytes, rssOf, startRssSampler, startNoiseMeter, machineCpuMicros, openFileLimit, machineInfo, clockTicks };
