import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { keepRawJson } from '@switchyard/adapters';
import { InvalidRequestError, leaveOutKeylessCloudBackends, secretValues } from '@switchyard/contracts';
import { PinoNestLogger, requestIdFrom } from '@switchyard/telemetry';
import { AppModule } from './app.module';
import { BodyDeadline } from './edge/body-deadline';
import { capUnauthenticatedConnections } from './edge/connection-cap';
import { tooDeepAt, topLevelFieldAt } from './edge/json-depth';
import { OutcomeBus, OutcomeDraft } from './observability/outcome-bus';
import { RequestTracing } from './observability/tracing';
import { OpenAIValidationPipe } from './openai/openai-validation.pipe';
import { Drain } from './runtime/drain';
import type { GatewayRuntime } from './runtime/gateway-runtime';

type TimedRequest = FastifyRequest & { startedAt: number };

/** Builds the gateway application (not yet listening). `main.ts` and the tests both start it here. */
export async function createGateway(runtime: GatewayRuntime): Promise<NestFastifyApplication> {
  // Masked by value in errors and logs, like the backends' keys (AdapterSet registers those).
  secretValues.set(runtime, [runtime.adminKey]);
  runtime.config = leaveOutKeylessCloudBackends(runtime.config, runtime.logger.child({ component: 'config' }));
  const server = runtime.config.server;
  const adapter = new FastifyAdapter({
    bodyLimit: server.bodyLimitBytes,
    // Node answers 408 to headers that are not in by then (the body is watched by BodyDeadline).
    requestTimeout: server.requestTimeoutMs,
    http: { connectionsCheckingInterval: Math.min(1_000, Math.max(25, Math.floor(server.requestTimeoutMs / 4))) },
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => requestIdFrom(req.headers['x-request-id']),
    logger: false,
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(runtime), adapter, {
    logger: new PinoNestLogger(runtime.logger.child({ component: 'nest' })),
    bufferLogs: false,
    // Fastify's own JSON parser only; Nest would add a form parser the API has no use for.
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  capUnauthenticatedConnections(app.getHttpServer(), server.unauthenticatedConnectionsPerAddress);
  const bodyDeadline = new BodyDeadline(server.requestTimeoutMs);
  fastify.addHook('onClose', (_instance, done) => {
    bodyDeadline.close();
    done();
  });
  // The API takes JSON only: anything else is a clear 415, not a body the validator has to puzzle over.
  fastify.removeContentTypeParser('text/plain');
  // Fastify's own JSON parser (same limits, same errors, prototype poisoning refused), keeping the
  // text a body was parsed from so that an adapter can forward it as is when nothing changes.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  const maxDepth = server.maxJsonDepth;
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, text, done) => {
    bodyDeadline.done(req.raw);
    const deep = tooDeepAt(text as string, maxDepth);
    if (deep >= 0) {
      const field = topLevelFieldAt(text as string, deep);
      done(
        new InvalidRequestError(`Invalid value for '${field ?? 'body'}': JSON nested deeper than ${maxDepth} levels.`, field, 'nesting_too_deep'),
        undefined,
      );
      return;
    }
    // Fastify's parser answers through the callback; its return value is not a promise to wait on.
    void parseJson(req, text as string, (err: Error | null, value?: unknown) => {
      if (err === null) keepRawJson(value, text as string);
      done(err, value);
    });
  });
  fastify.decorateRequest('startedAt', 0);
  fastify.decorateRequest('outcome', undefined);
  // Every /v1 request ends in exactly one outcome, emitted here when its response closes.
  const outcomes = app.get(OutcomeBus);
  // Undefined when tracing is off: then nothing below touches it.
  const tracing = app.get(RequestTracing).on ? app.get(RequestTracing) : undefined;
  fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const startedAt = performance.now();
    (req as TimedRequest).startedAt = startedAt;
    bodyDeadline.begin(req.raw);
    reply.header('x-request-id', req.id);
    if (req.url.startsWith('/v1/')) {
      const query = req.url.indexOf('?');
      const draft = (req.outcome = new OutcomeDraft(req.id, req.method, query < 0 ? req.url : req.url.slice(0, query), startedAt));
      tracing?.begin(req, draft);
      const raw = reply.raw;
      raw.on('close', () => {
        const outcome = draft.finish(raw.statusCode, raw.writableFinished);
        outcomes.emit(outcome, draft);
        tracing?.end(draft, outcome);
        draft.onClose?.();
      });
    }
    done();
  });

  app.useGlobalPipes(new OpenAIValidationPipe());
  // Requests in flight are counted for the drain; main.ts drains on SIGTERM/SIGINT (not SIGHUP:
  // that one reloads the config). Tests close their gateways themselves.
  app.get(Drain).attach(fastify);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Switchyard')
      .setDescription(
        "Hybrid local/cloud AI gateway. `/v1` speaks the OpenAI API and `/v1/messages` Anthropic's Messages API: point an OpenAI or Anthropic client's base URL here. Authorize with an API key to try calls.",
      )
      .setVersion(process.env.npm_package_version ?? '0.1.0')
      // Not addBearerAuth(): it declares `bearerFormat: JWT`, and Switchyard keys are not JWTs.
      .addSecurity('bearer', { type: 'http', scheme: 'bearer', description: 'A Switchyard API key: a tenant key (sk-sy-…), or the admin key.' })
      .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same key, as Anthropic clients send it.' }, 'x-api-key')
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      .addServer('/', 'This gateway')
      .build(),
  );
  // Routes without an auth guard (health) are public; say so rather than leave security unstated.
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item[method];
      if (op && !op.security) op.security = [];
    }
  }
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml', customSiteTitle: 'Switchyard API' });
  await app.init();
  await fastify.ready();
  return app;
}
