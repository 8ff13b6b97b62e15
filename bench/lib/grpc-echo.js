#!/usr/bin/env node
'use strict';
/**
 * A bare grpc-js server for bench/hop.js: the router's DecideStream with the policy engine taken
 * out. It answers every DecideCall with one canned DecideResponse (ECHO_RESPONSE, JSON), so what
 * a round trip costs here is the transport alone: grpc-js, HTTP/2, protobuf and the loopback hop.
 *
 *   ECHO_RESPONSE='{"modelFound":true,...}' node bench/lib/grpc-echo.js   (listens on 127.0.0.1, any port)
 *
 * Prints `grpc echo on 127.0.0.1:<port>`; exits on SIGTERM/SIGINT.
 */
const path = require('node:path');
const { Server, ServerCredentials } = require('@grpc/grpc-js');

const { loadRouterProto } = require(path.join(__dirname, '../../dist/libs/runtime/src/router-proto'));

const response = JSON.parse(process.env.ECHO_RESPONSE ?? '{"modelFound":false,"candidates":[],"dropped":[]}');
const server = new Server();
server.addService(loadRouterProto().router, {
  DecideStream: (call) => {
    call.on('data', (m) => call.write({ id: m.id, response, error: '' }));
    call.on('end', () => call.end());
    call.on('error', () => undefined);
  },
});
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    process.stderr.write(`grpc echo: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`grpc echo on 127.0.0.1:${port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.once(sig, () => server.tryShutdown(() => process.exit(0)));
