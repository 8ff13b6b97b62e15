'use strict';
/**
 * The gateway's OpenAPI document, as `/openapi.json` serves it, from the built gateway (dist/):
 * a gateway is made in-process with a minimal config, never listening, and asked for it.
 */
const path = require('node:path');
const { PassThrough } = require('node:stream');

const DIST = path.join(__dirname, '..', 'dist');

async function openApiDocument() {
  const { createGateway } = require(path.join(DIST, 'apps/gateway/src/gateway.factory'));
  const { parseConfig } = require(path.join(DIST, 'libs/contracts/src'));
  const { createLogger } = require(path.join(DIST, 'libs/telemetry/src'));
  const config = parseConfig(
    'backends:\n  - { name: local, protocol: openai, baseUrl: "http://127.0.0.1:9/v1", tier: local, models: [m] }\nmodels:\n  - { name: chat, targets: [{ backend: local, model: m }] }\n',
    {},
    'openapi',
  );
  const logger = createLogger({ destination: new PassThrough().resume() });
  const app = await createGateway({ config, adminKey: 'sy-admin-openapi-document', logger });
  try {
    const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}`);
    return JSON.parse(res.body);
  } finally {
    await app.close();
  }
}

module.exports = { openApiDocument };
