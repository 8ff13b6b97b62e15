'use strict';
/**
 * Child processes of the benchmark (fake backends, gateways, the router once it exists).
 *
 * Every child is registered here the moment it is spawned, so that whichever way the harness ends
 * (normal end, thrown error, SIGINT/SIGTERM, global deadline) nothing is left listening on the
 * machine. The system under test always runs in its own process: measuring CPU and RSS from /proc
 * only means something when the load generator is not in the same process.
 */
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const OUTPUT_KEEP = 16 * 1024;

/** @type {Set<Child>} */
const live = new Set();

class Child {
  constructor(name, proc) {
    this.name = name;
    this.proc = proc;
    this.pid = proc.pid;
    this.exitCode = undefined;
    this.exitSignal = undefined;
    this.tail = '';
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        live.delete(this);
        resolve();
      });
    });
    // Children's output is drained into a small ring: a full pipe would stall a child that logs,
    // and the tail is what we show when it fails to start or dies mid-run.
    const keep = (buf) => {
      this.tail = (this.tail + buf.toString('utf8')).slice(-OUTPUT_KEEP);
    };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
  }

  get running() {
    return this.exitCode === undefined && this.exitSignal === undefined;
  }

  /** Resolves once `pattern` appears in the child's output (or rejects after `timeoutMs` / on exit). */
  waitForOutput(pattern, timeoutMs) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = this.tail.match(pattern);
        if (m) {
          done();
          resolve(m);
        }
      };
      const onExit = () => {
        done();
        reject(new Error(`${this.name} exited (code ${this.exitCode}, signal ${this.exitSignal}) before it was ready:\n${this.tail}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name} not ready within ${timeoutMs} ms:\n${this.tail}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.proc.stdout.off('data', check);
        this.proc.stderr.off('data', check);
        this.proc.off('exit', onExit);
      };
      this.proc.stdout.on('data', check);
      this.proc.stderr.on('data', check);
      this.proc.once('exit', onExit);
      check();
    });
  }

  /** Polite stop (the gateway closes its app on SIGTERM/SIGINT), then SIGKILL after `graceMs`. */
  async stop(signal = 'SIGTERM', graceMs = 5000) {
    if (!this.running) return;
    try {
      this.proc.kill(signal);
    } catch {
      // already gone
    }
    let timer;
    const killed = new Promise((resolve) => {
      timer = setTimeout(() => {
        if (this.running) {
          try {
            this.proc.kill('SIGKILL');
          } catch {
            // already gone
          }
        }
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    await this.exited;
  }
}

/** Spawns `node <args>` from the repository root with piped output; registered for cleanup. */
function spawnNode(name, args, env) {
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = new Child(name, proc);
  live.add(child);
  proc.once('error', (err) => {
    child.tail += `\nspawn error: ${err.message}`;
  });
  return child;
}

/** A port that was free a moment ago (loopback only). The window for a race is tiny on a quiet machine. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Is something accepting TCP connections on 127.0.0.1:port? (Bounded by `timeoutMs`.) */
function portAnswers(port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const finish = (ok) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sock.once('connect', () => finish(true));
    sock.once('error', () => finish(false));
  });
}

/** Polls `url` until it answers 200; bounded by attempts and time. */
async function waitForHttp(url, child, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  // The attempt cap is a second bound; at ≥100 ms an attempt it must not cut `timeoutMs` short.
  for (let attempt = 0; attempt < Math.max(300, timeoutMs / 50) && Date.now() < deadline; attempt++) {
    if (child && !child.running) throw new Error(`${child.name} exited before answering ${url}:\n${child.tail}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms${child ? `:\n${child.tail}` : ''}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stops every live child: SIGTERM, then SIGKILL for whatever is still there after `graceMs`. */
async function stopAll(graceMs = 3000) {
  await Promise.all([...live].map((c) => c.stop('SIGTERM', graceMs)));
}

/** Last resort for synchronous exit paths ('exit' event): no waiting possible, so SIGKILL. */
function killAllNow() {
  for (const c of live) {
    try {
      c.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * The frame of a bench script: children killed on exit and on Ctrl-C, a failure logged with its
 * stack and the exit code 1. Returns the script's logger (`[tag] message` on stderr); `main` runs
 * once the caller's module has finished loading.
 */
function runScript(tag, main) {
  const log = (msg) => process.stderr.write(`[${tag}] ${msg}\n`);
  process.on('exit', killAllNow);
  process.once('SIGINT', () => stopAll().finally(() => process.exit(130)));
  setImmediate(() =>
    main().catch((err) => {
      log(`failed: ${err?.stack ?? err}`);
      stopAll().finally(() => process.exit(1));
    }),
  );
  return log;
}

module.exports = { ROOT, spawnNode, freePort, portAnswers, waitForHttp, sleep, stopAll, killAllNow, live, runScript };
