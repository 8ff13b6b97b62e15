#!/usr/bin/env node
// The image's HEALTHCHECK: `node docker/healthcheck.js [gateway|router]`, exit 0 when healthy.
//
// One image runs both apps, so the check asks the one this container runs: named on the command
// line, else read from PID 1's command line (tini, followed by the app's main.js).
//   gateway: GET http://127.0.0.1:$PORT/health/live (liveness: the process answers; readiness, which
//            also needs backends, is the orchestrator's business)
//   router:  grpc.health.v1 Check on 127.0.0.1: ROUTER_HEALTH_PORT (plaintext, health only) when set,
//            else ROUTER_GRPC_PORT, over TLS when ROUTER_TLS_CERT is set (a router that requires
//            client certificates needs ROUTER_HEALTH_PORT for this check)
//   other apps (fake-llm, the CLI): nothing to check.
// Kubernetes ignores HEALTHCHECK: the chart's probes do the same checks natively.
'use strict';
const { readFileSync } = require('node:fs');

const TIMEOUT_MS = 4_000;

function whichApp() {
  const named = process.argv[2];
  if (named) return named;
  try {
    const cmdline = readFileSync('/proc/1/cmdline', 'utf8');
    const match = /apps\/([a-z-]+)\/src\/main\.js/.exec(cmdline);
    return match ? match[1] : 'gateway';
  } catch {
    return 'gateway';
  }
}

async function gateway() {
  const port = process.env.PORT || '8080';
  const res = await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (res.status !== 200) throw new Error(`/health/live answered ${res.status}`);
}

function router() {
  const grpc = require('@grpc/grpc-js');
  const env = process.env;
  const healthPort = env.ROUTER_HEALTH_PORT;
  const port = healthPort || env.ROUTER_GRPC_PORT || '50051';
  let creds = grpc.credentials.createInsecure();
  if (!healthPort && env.ROUTER_TLS_CERT) {
    // The certificate names the Service, not 127.0.0.1: check the chain, not the name.
    const ca = env.ROUTER_TLS_CA ? readFileSync(env.ROUTER_TLS_CA) : readFileSync(env.ROUTER_TLS_CERT);
    creds = grpc.credentials.createSsl(ca, null, null, { checkServerIdentity: () => undefined });
  }
  const client = new grpc.Client(`127.0.0.1:${port}`, creds);
  // HealthCheckRequest{service: ""} is zero bytes; HealthCheckResponse is field 1 (varint): 1 = SERVING.
  const encode = () => Buffer.alloc(0);
  const decode = (buf) => (buf.length >= 2 && buf[0] === 0x08 ? buf[1] : 0);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest('/grpc.health.v1.Health/Check', encode, decode, {}, { deadline: Date.now() + TIMEOUT_MS }, (err, status) => {
      client.close();
      if (err) reject(new Error(`grpc.health.v1 Check: ${err.details || err.message}`));
      else if (status !== 1) reject(new Error(`grpc.health.v1 status ${status}, not SERVING`));
      else resolve();
    });
  });
}

const checks = { gateway, router };
const app = whichApp();
const check = checks[app];
if (!check) process.exit(0);
check().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`unhealthy (${app}): ${err.message}\n`);
    process.exit(1);
  },
);
