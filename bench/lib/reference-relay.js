#!/usr/bin/env node
'use strict';
/**
 * The benchmark's reference relay: the yardstick the benchmark issue cites, "a plain
 * NestJS-on-Fastify controller relaying to a zero-latency upstream with undici".
 *
 * One route, `POST /v1/chat/completions`: Fastify's default JSON body parser, the parsed body
 * serialised again and sent to `${UPSTREAM}/v1/chat/completions` over a keep-alive undici Pool,
 * the upstream's status, content type and body bytes sent back. No auth, no validation, no
 * logging, no Server-Timing. What it costs per request is what the framework and the HTTP client
 * cost on this machine, the part of Switchyard's figures a gateway built on them cannot avoid.
 *
 * Plain CommonJS (no build): the decorators are called as functions.
 *
 *   PORT=8099 UPSTREAM=http://127.0.0.1:9000 node bench/lib/reference-relay.js
 *   env: PORT (0 = any free port), HOST (127.0.0.1), UPSTREAM (required), REFERENCE_CONNECTIONS (256)
 *
 * Prints `reference relay listening on http://127.0.0.1:<port>` once it accepts connections, and
 * closes the app and the pool on SIGTERM/SIGINT.
 */
require('reflect-metadata');
const { Module, Controller, Post, Body, Res } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { Pool } = require('undici');

const PORT = Number(process.env.PORT ?? 0);
// Loopback only, whatever HOST says: this is a benchmark fixture with no auth at all.
const HOST = process.env.HOST || '127.0.0.1';
const UPSTREAM = process.env.UPSTREAM;
const CONNECTIONS = Number(process.env.REFERENCE_CONNECTIONS ?? 256);
const CHAT_PATH = '/v1/chat/completions';

function fail(msg) {
  process.stderr.write(`reference relay: ${msg}\n`);
  process.exit(1);
}

if (!UPSTREAM) fail('UPSTREAM is required (e.g. http://127.0.0.1:9000)');
if (HOST !== '127.0.0.1') fail(`HOST must be 127.0.0.1 (got ${HOST})`);
if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) fail(`PORT must be a port number (got ${process.env.PORT})`);

const upstream = new URL(UPSTREAM);
// Same pool sizing as the gateway's fast bench backend (maxConcurrency 256): keep-alive, no pipelining.
const pool = new Pool(upstream.origin, { connections: CONNECTIONS, pipelining: 1 });
const upstreamPath = `${upstream.pathname.replace(/\/+$/, '')}${CHAT_PATH}`;

class RelayController {
  async relay(body, reply) {
    const res = await pool.request({
      method: 'POST',
      path: upstreamPath,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    reply
      .code(res.statusCode)
      .header('content-type', res.headers['content-type'] ?? 'application/json')
      .send(bytes);
  }
}
// @Controller() class RelayController { @Post('v1/chat/completions') relay(@Body() body, @Res() reply) {...} }
Controller()(RelayController);
Body()(RelayController.prototype, 'relay', 0);
Res()(RelayController.prototype, 'relay', 1);
Post(CHAT_PATH.slice(1))(RelayController.prototype, 'relay', Object.getOwnPropertyDescriptor(RelayController.prototype, 'relay'));

class RelayModule {}
Module({ controllers: [RelayController] })(RelayModule);

async function main() {
  const app = await NestFactory.create(RelayModule, new FastifyAdapter({ logger: false }), { logger: false });
  let closing;
  const shutdown = (signal) => {
    if (closing) return;
    closing = Promise.all([app.close(), pool.close()])
      .then(() => process.exit(0))
      .catch((err) => {
        process.stderr.write(`reference relay: ${signal}: ${err?.message ?? err}\n`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await app.listen(PORT, HOST);
  const { port } = app.getHttpServer().address();
  process.stdout.write(`reference relay listening on http://${HOST}:${port} -> ${upstream.origin}${upstreamPath}\n`);
}

main().catch((err) => fail(`failed to start: ${err?.stack ?? err}`));
