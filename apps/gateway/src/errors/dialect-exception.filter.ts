import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorCode } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry';
import { openai, responderFor } from '../dialect/dialects';
import type { ErrorResponse } from '../dialect/responder';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { toSwitchyardError } from './error-response';
import '../observability/outcome-bus';

/** Every error leaves in the caller's dialect (OpenAI's on /v1, problem details on /admin); 5xx are logged, never with secrets. */
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
    const res = this.response(req, exception);
    if (res.status >= 500) {
      this.log.error(
        { requestId: req.id, err: exception instanceof Error ? exception : undefined, status: res.status },
        `${req.method} ${req.url.split('?')[0]} failed`,
      );
    }
    if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
    reply.status(res.status).headers(res.headers).send(res.body);
  }

  private response(req: FastifyRequest, exception: unknown): ErrorResponse {
    const responder = responderFor(req.url);
    // Paths outside the dialects (health: Terminus answers 503 with its own report) keep Nest's shape.
    if (responder === undefined && exception instanceof HttpException) {
      return { status: exception.getStatus(), body: exception.getResponse(), headers: {} };
    }
    const error = toSwitchyardError(exception);
    if (req.outcome !== undefined) req.outcome.errorCode = errorCode(error);
    return (responder ?? openai).error(error, { path: req.url.split('?')[0], requestId: req.id });
  }
}
