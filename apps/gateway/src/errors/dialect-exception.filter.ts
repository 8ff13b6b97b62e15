import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@switchyard/telemetry';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { errorResponse } from './error-response';
import '../observability/outcome-bus';

/** The code (else the type) of an OpenAI-shaped error body, for the request's outcome. */
function errorCodeOf(body: unknown): string | undefined {
  const error = (body as { error?: { code?: string | null; type?: string } } | undefined)?.error;
  return error?.code ?? error?.type ?? undefined;
}

/** Every error leaves in the caller's dialect (OpenAI's on /v1); 5xx are logged, never with secrets. */
@Catch()
export class DialectExceptionFilter implements ExceptionFilter {
  private readonly log: Logger;

  constructor(@Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime) {
    this.log = runtime.logger.child({ component: 'errors' });
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const res = errorResponse(req.url, exception);
    if (req.outcome !== undefined) req.outcome.errorCode = errorCodeOf(res.body);
    if (res.status >= 500) {
      this.log.error(
        { requestId: req.id, err: exception instanceof Error ? exception : undefined, status: res.status },
        `${req.method} ${req.url.split('?')[0]} failed`,
      );
    }
    if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
    reply.status(res.status).headers(res.headers).send(res.body);
  }
}
