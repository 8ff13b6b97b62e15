import { HttpException } from '@nestjs/common';
import { SwitchyardError, typeForStatus, redactSecrets } from '@switchyard/contracts';

/** Fastify's own errors (body parsing, limits, content type) carry a code and a status. */
interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

const FASTIFY_MESSAGES: Record<string, (e: FastifyLikeError) => string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => 'Request body is larger than the gateway accepts.',
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'The request body is empty; send a JSON object.',
  FST_ERR_CTP_INVALID_JSON_BODY: (e) => `We could not parse the JSON body of your request. (${e.message ?? 'invalid JSON'})`,
};

/**
 * Nest's unknown-route 404, and Fastify errors Nest has turned into HttpExceptions (code dropped,
 * message a bare status text): these get a message saying what to do.
 */
const HTTP_MESSAGES: Record<number, string> = {
  404: 'Unknown request URL. See /docs for the API.',
  415: "Unsupported content type: send the body as JSON with 'Content-Type: application/json'.",
};

/**
 * Turns anything thrown on a request into a SwitchyardError with a status below 500 where the
 * fault is the caller's. Unknown errors become a 500 whose message reveals nothing.
 */
export function toSwitchyardError(err: unknown): SwitchyardError {
  if (err instanceof SwitchyardError) return err;
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const message = HTTP_MESSAGES[status] ?? err.message;
    return new SwitchyardError({ status, type: typeForStatus(status), message, code: status === 404 ? 'unknown_url' : null });
  }
  const f = err as FastifyLikeError;
  if (typeof f?.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    const describe = f.code ? FASTIFY_MESSAGES[f.code] : undefined;
    const invalidJson = err instanceof SyntaxError || f.code === 'FST_ERR_CTP_INVALID_JSON_BODY';
    const message = describe
      ? describe(f)
      : invalidJson
        ? `We could not parse the JSON body of your request. (${f.message})`
        : redactSecrets(f.message ?? 'Bad request.');
    return new SwitchyardError({ status: f.statusCode, type: typeForStatus(f.statusCode), message, code: invalidJson ? 'invalid_json' : null });
  }
  return new SwitchyardError({ status: 500, type: 'api_error', message: 'The server had an error while processing your request.' });
}
