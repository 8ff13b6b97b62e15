'use strict';
/**
 * Loaded with `node --require` into the peer gateway's process (bench/lib/peer.js).
 *
 * The peer's own start script listens on every interface (`serve({ port })` with no host) and has
 * no option to change that; the benchmark only ever listens on loopback. So a listen without a host
 * gets 127.0.0.1, and one with any other host is refused. It also turns SIGINT/SIGTERM into a normal
 * exit, so that `node --cpu-prof` can write its profile when the harness stops the peer.
 */
const net = require('node:net');

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, callback]); @hono/node-server passes an explicit `undefined` host.
    if (args.length > 1 && args[1] === undefined) args[1] = '127.0.0.1';
    else if (typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  } else if (first && typeof first === 'object' && first.port !== undefined && first.path === undefined) {
    args[0] = { ...first, host: first.host ?? '127.0.0.1' };
  }
  const host = typeof args[1] === 'string' ? args[1] : args[0]?.host;
  if (host !== undefined && !LOOPBACK.has(host)) throw new Error(`benchmark peer: refusing to listen on ${host} (loopback only)`);
  return listen.apply(this, args);
};

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(0));
