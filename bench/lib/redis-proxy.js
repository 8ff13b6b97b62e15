'use strict';
/**
 * A counting TCP proxy in front of Redis, so the bench can say how many commands one gateway sent
 * (INFO commandstats counts every client of a shared Redis). It parses the client's side as RESP
 * arrays (what ioredis sends) and tallies commands; the answers flow back untouched.
 */
const net = require('node:net');

/** Counts for one proxy: every command, and the limit counters' two scripts told apart by their arguments. */
function newTally() {
  return { commands: 0, checkAndAdd: 0, adjust: 0, other: 0 };
}

/** Incremental RESP parser: calls `onCommand(args)` for each complete array (args as strings, at most the first four). */
function commandParser(onCommand) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    let pos = 0;
    for (;;) {
      const start = pos;
      const line = (from) => {
        const end = buf.indexOf('\r\n', from);
        return end < 0 ? undefined : { text: buf.toString('latin1', from, end), next: end + 2 };
      };
      const head = line(pos);
      if (head === undefined) break;
      if (head.text[0] !== '*') {
        // An inline command (never sent by ioredis): one line.
        onCommand(head.text.split(' '), 1);
        pos = head.next;
        continue;
      }
      const n = Number(head.text.slice(1));
      const args = [];
      let p = head.next;
      let complete = true;
      for (let i = 0; i < n; i++) {
        const len = line(p);
        if (len === undefined) {
          complete = false;
          break;
        }
        const size = Number(len.text.slice(1));
        if (buf.length < len.next + size + 2) {
          complete = false;
          break;
        }
        if (i < 4) args.push(buf.toString('latin1', len.next, len.next + size));
        p = len.next + size + 2;
      }
      if (!complete) {
        pos = start;
        break;
      }
      onCommand(args, n);
      pos = p;
    }
    buf = pos === 0 ? buf : buf.subarray(pos);
  };
}

/**
 * Starts the proxy on a free loopback port, forwarding to `upstream` (host:port of Redis).
 * Resolves to { url, tally, reset(), close() }.
 */
async function startRedisProxy(upstreamUrl) {
  const target = new URL(upstreamUrl);
  let tally = newTally();
  const count = (args, n) => {
    tally.commands++;
    const name = String(args[0] ?? '').toUpperCase();
    if (name === 'EVALSHA' || name === 'EVAL') {
      // checkAndAdd: KEYS n, ARGV 4n (window, cost, limit, lease); adjust: KEYS n, ARGV n (a delta each).
      const keys = Number(args[2]);
      const argv = n - 3 - keys;
      if (argv === 4 * keys) tally.checkAndAdd++;
      else if (argv === keys) tally.adjust++;
      else tally.other++;
    } else tally.other++;
  };
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    const parse = commandParser(count);
    client.on('data', (chunk) => {
      parse(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `redis://127.0.0.1:${port}${target.pathname}`,
    tally: () => ({ ...tally }),
    reset() {
      tally = newTally();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

module.exports = { startRedisProxy, commandParser };
