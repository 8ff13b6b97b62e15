'use strict';
/**
 * The peer gateway the benchmark runs side by side with Switchyard: Portkey's open-source AI gateway
 * (`@portkey-ai/gateway`, TypeScript on Hono), installed from npm into bench/peers/ with its own
 * package.json and lockfile, so it never becomes part of Switchyard's own install.
 *
 * It runs in its own process on a free loopback port, as its published start script runs it
 * (`build/start-server.js --port=N --headless`, NODE_ENV=production), and relays to the same
 * fake-llm backend as the gateway scenarios: the provider and the backend's address travel in
 * Portkey's request headers (`x-portkey-provider: openai`, `x-portkey-custom-host: <fake>/v1`),
 * the way its documentation routes to a self-hosted OpenAI-compatible server.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { spawnNode, freePort, waitForHttp } = require('./children');

const PEERS_DIR = path.resolve(__dirname, '..', 'peers');
const PACKAGE = '@portkey-ai/gateway';
const NAME = 'Portkey AI Gateway';
const PACKAGE_DIR = path.join(PEERS_DIR, 'node_modules', ...PACKAGE.split('/'));
const MAIN = path.join(PACKAGE_DIR, 'build', 'start-server.js');
const PRELOAD = path.join(__dirname, 'peer-preload.js');
/** Bounds of the on-demand install: a missing registry fails within minutes, never hangs the run. */
const INSTALL_TIMEOUT_MS = 240_000;

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** The exact version bench/peers/package.json pins (the lockfile holds the same). */
function pinnedVersion() {
  return readJson(path.join(PEERS_DIR, 'package.json')).dependencies[PACKAGE];
}

/** The installed version, or undefined when bench/peers/node_modules does not hold the peer. */
function installedVersion() {
  try {
    return readJson(path.join(PACKAGE_DIR, 'package.json')).version;
  } catch {
    return undefined;
  }
}

/** One line on why `npm ci` failed: its own error message when it printed one, without credentials in URLs. */
function installFailure(r, output) {
  if (r.error) return r.error.code === 'ETIMEDOUT' ? `timed out after ${INSTALL_TIMEOUT_MS / 1000} s` : r.error.message;
  const lines = output.split('\n').map((l) => l.replace(/^npm (error|ERR!)\s*/, ''));
  const line = lines.find((l) => /Error:|reason:/.test(l)) ?? lines.find((l) => /^code \S+/.test(l)) ?? `exit code ${r.status}`;
  return line.replace(/\/\/[^/@\s]+@/g, '//').slice(0, 240);
}

/**
 * Makes sure the pinned peer is installed: `npm ci --prefix bench/peers` when it is missing or
 * another version. Returns { ok: true, name, package, version, overrides } or { ok: false, why }.
 * Install scripts are not run: the peer's only one applies patch files its package does not ship.
 */
function ensurePeer(log) {
  const pinned = pinnedVersion();
  const installed = installedVersion();
  if (installed !== pinned || !fs.existsSync(MAIN)) {
    log(
      `*** peer ${PACKAGE}@${pinned} is ${installed ? `at ${installed}` : 'not installed'} in bench/peers: ` +
        "installing it now with `npm ci --prefix bench/peers` (benchmark only, not part of Switchyard's install) ***",
    );
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['ci', '--prefix', PEERS_DIR, '--ignore-scripts', '--no-audit', '--no-fund', '--fetch-retries=1', '--fetch-timeout=30000'], {
      cwd: PEERS_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: INSTALL_TIMEOUT_MS,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    if (r.error || r.status !== 0) {
      const why = `\`npm ci --prefix bench/peers\` failed: ${installFailure(r, output)}`;
      log(`*** ${why}: the peer rows say "not run"; everything else still runs ***`);
      const shown = output.split('\n').filter((l) => !/^npm (error|ERR!)\s+at /.test(l));
      if (shown.length > 0)
        log(
          shown
            .slice(0, 12)
            .join('\n')
            .replace(/\/\/[^/@\s]+@/g, '//'),
        );
      return { ok: false, why };
    }
    log(`  installed ${PACKAGE}@${installedVersion()}`);
  }
  const manifest = readJson(path.join(PEERS_DIR, 'package.json'));
  return { ok: true, name: NAME, package: PACKAGE, version: installedVersion(), overrides: manifest.overrides ?? {} };
}

/**
 * The peer as a child on a fresh loopback port, ready once `GET /` answers 200 ("AI Gateway says
 * hey!"). `nodeArgs` e.g. --cpu-prof.
 */
async function startPeer(name, { nodeArgs = [] } = {}) {
  const port = await freePort();
  // Only what the peer needs: no credentials from the harness's environment reach it.
  const env = { PATH: process.env.PATH, NODE_ENV: 'production' };
  const child = spawnNode(name, [...nodeArgs, '--require', PRELOAD, MAIN, `--port=${port}`, '--headless'], env);
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/`, child, 20000);
  return { name, child, origin, port, pids: [child.pid] };
}

/**
 * The benchmark's headers for a request through the peer to `backend` (a fake from startFake):
 * OpenAI as the provider, the fake as its custom host, and a placeholder API key (the peer
 * forwards it to the backend as the OpenAI key; the fake takes any).
 */
function peerHeaders(backend) {
  return {
    'content-type': 'application/json',
    authorization: 'Bearer sk-bench-peer',
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': backend.baseUrl,
  };
}

module.exports = { ensurePeer, startPeer, peerHeaders, pinnedVersion, PEERS_DIR, PACKAGE, NAME };
