import { STATUS_CODES } from 'node:http';
import { errorCode, redactSecrets, type SwitchyardError } from '@switchyard/contracts';
import { InvalidFieldsError, type FieldError } from '../errors/invalid-fields.error';
import type { ErrorContext, ErrorResponder, ErrorResponse } from './responder';

/** The media type of RFC 9457 problem details. */
export const PROBLEM_JSON = 'application/problem+json';

/** An RFC 9457 problem, with Switchyard's extensions: `code`, `requestId` and the bad fields. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  requestId?: string;
  errors?: FieldError[];
}

/**
 * Errors as RFC 9457 problem details (the admin API's dialect). `type` is a URN per error code,
 * so clients can tell problems apart without Switchyard claiming a web address it does not serve.
 */
export class ProblemDetailsResponder implements ErrorResponder {
  error(err: SwitchyardError, context?: ErrorContext): ErrorResponse {
    const code = errorCode(err);
    const body: ProblemDetails = {
      type: `urn:switchyard:problem:${code}`,
      title: STATUS_CODES[err.status] ?? 'Error',
      status: err.status,
      detail: redactSecrets(err.message),
      code,
    };
    if (context !== undefined) {
      body.instance = context.path;
      body.requestId = context.requestId;
    }
    const fields = err instanceof InvalidFieldsError ? [...err.fields] : err.param !== null ? [{ field: err.param, message: redactSecrets(err.message) }] : [];
    if (fields.length > 0) body.errors = fields;
    const headers: Record<string, string> = { 'content-type': `${PROBLEM_JSON}; charset=utf-8` };
    if (err.retryAfter) headers['retry-after'] = err.retryAfter;
    return { status: err.status, body, headers };
  }
}
