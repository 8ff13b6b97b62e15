import type { OpenAIErrorBody } from './openai.types';
import { redactSecrets } from './redact';

/** Error kinds Switchyard speaks about. Each transport's filter maps them to its own dialect. */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'service_unavailable'
  | 'timeout_error';

export interface SwitchyardErrorInit {
  status: number;
  type: ErrorType;
  message: string;
  code?: string | null;
  param?: string | null;
  /** Seconds, as in the Retry-After header. */
  retryAfter?: string;
  cause?: unknown;
}

/** A domain error that carries its HTTP status; never carries secrets in its message. */
export class SwitchyardError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly retryAfter?: string;

  constructor(init: SwitchyardErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.type = init.type;
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.retryAfter = init.retryAfter;
  }
}

export class InvalidRequestError extends SwitchyardError {
  constructor(message: string, param: string | null = null, code: string | null = null, status = 400) {
    super({ status, type: 'invalid_request_error', message, param, code });
  }
}

export class AuthenticationError extends SwitchyardError {
  constructor(message = 'Incorrect API key provided. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".') {
    super({ status: 401, type: 'authentication_error', message, code: 'invalid_api_key' });
  }
}

/** A store the request needs (the database behind keys and credentials) cannot be reached: 503, worth a retry. */
export class StoreUnavailableError extends SwitchyardError {
  constructor(what: string, cause: unknown) {
    super({
      status: 503,
      type: 'service_unavailable',
      code: 'store_unavailable',
      message: `The ${what} cannot be read right now. Please retry shortly.`,
      cause,
    });
  }
}

export class ModelNotFoundError extends SwitchyardError {
  constructor(model: string) {
    super({
      status: 404,
      type: 'invalid_request_error',
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      param: 'model',
      code: 'model_not_found',
    });
  }
}

/** Refused by policy (a rule's deny, or privacy); `code` says which. */
export class PolicyDeniedError extends SwitchyardError {
  constructor(message: string, code: string) {
    super({ status: 403, type: 'permission_error', message, code });
  }
}

/**
 * The egress check stopped a call: the bytes about to leave for a cloud backend under a privacy
 * policy carried personal data that redaction did not replace. The chain moves on to the next
 * target; the backend is not blamed.
 */
export class EgressBlockedError extends PolicyDeniedError {
  constructor(
    readonly backend: string,
    readonly categories: readonly string[],
  ) {
    super(`The request to backend ${backend} was stopped: it would have carried personal data (${categories.join(', ')}) to the cloud.`, 'pii_egress_blocked');
  }
}

/** The privacy scan itself failed: the request fails closed, sent nowhere. */
export class PrivacyScanError extends SwitchyardError {
  constructor(cause: unknown) {
    super({
      status: 500,
      type: 'api_error',
      message: 'The request could not be checked for personal data, so it was not sent to any backend.',
      code: 'pii_scan_failed',
      cause,
    });
  }
}

/** What went wrong talking to a backend; `retryable` says whether the next target may be tried. */
export type UpstreamFailure =
  | 'connect' // refused, unresolvable, unreachable: 503
  | 'network' // the connection broke before an answer: 502
  | 'timeout' // connect, first byte, idle or total deadline: 504
  | 'rate_limited' // upstream 429: 429, Retry-After kept
  | 'server_error' // upstream 5xx: 502
  | 'client_error' // upstream 4xx: the same 4xx
  | 'protocol' // an answer the adapter cannot read: 502
  | 'aborted'; // the client went away

export class UpstreamError extends SwitchyardError {
  readonly failure: UpstreamFailure;
  readonly upstreamStatus?: number;
  readonly backend: string;
  /** What the backend said (redacted), for the log only: never part of a response. */
  readonly detail?: string;

  constructor(init: {
    backend: string;
    failure: UpstreamFailure;
    message: string;
    upstreamStatus?: number;
    retryAfter?: string;
    type?: ErrorType;
    code?: string | null;
    param?: string | null;
    cause?: unknown;
    detail?: string;
  }) {
    const status = statusForFailure(init.failure, init.upstreamStatus);
    super({
      status,
      type: init.type ?? typeForStatus(status),
      message: init.message,
      code: init.code ?? null,
      param: init.param ?? null,
      retryAfter: init.retryAfter,
      cause: init.cause,
    });
    this.failure = init.failure;
    this.upstreamStatus = init.upstreamStatus;
    this.backend = init.backend;
    this.detail = init.detail === undefined ? undefined : redactSecrets(init.detail);
  }

  /** Connect errors, timeouts, 429, 5xx and unreadable answers before the first byte move on to the next target. */
  get retryable(): boolean {
    return (
      this.failure === 'connect' ||
      this.failure === 'network' ||
      this.failure === 'timeout' ||
      this.failure === 'rate_limited' ||
      this.failure === 'server_error' ||
      this.failure === 'protocol'
    );
  }
}

/** One failed attempt in a few words, for a chain's summary: `connection refused`, `answered 500: ...`. */
export function attemptSummary(err: SwitchyardError): string {
  if (!(err instanceof UpstreamError)) return err.message;
  const code =
    (err.cause as { code?: string; cause?: { code?: string } } | undefined)?.code ?? (err.cause as { cause?: { code?: string } } | undefined)?.cause?.code;
  if (err.failure === 'connect' && code === 'ECONNREFUSED') return 'connection refused';
  if (err.failure === 'client_error') return `answered ${err.upstreamStatus ?? err.status}: ${err.message}`;
  // Adapter messages start with the backend's name, which the summary already gives, and end a sentence the summary continues.
  const prefix = `Backend ${err.backend} `;
  const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return message.endsWith('.') ? message.slice(0, -1) : message;
}

/**
 * The error a whole chain ends with: the last attempt's status and kind, with a message that
 * names every attempt (`local-ollama: connection refused; openai: answered 401: ...`).
 */
export function chainFailure(last: SwitchyardError, attempts: readonly string[], model: string): SwitchyardError {
  const message = `Every backend for model ${model} failed: ${attempts.join('; ')}.`;
  if (last instanceof UpstreamError) {
    const { backend, failure, upstreamStatus, retryAfter, type, code, param } = last;
    return new UpstreamError({ backend, failure, upstreamStatus, retryAfter, type, code, param, message, cause: last });
  }
  return new SwitchyardError({ status: last.status, type: last.type, code: last.code, param: last.param, retryAfter: last.retryAfter, message, cause: last });
}

function statusForFailure(failure: UpstreamFailure, upstreamStatus?: number): number {
  switch (failure) {
    case 'connect':
      return 503;
    case 'timeout':
      return 504;
    case 'rate_limited':
      return 429;
    case 'network':
    case 'server_error':
    case 'protocol':
      return 502;
    case 'aborted':
      return 499;
    case 'client_error':
      return upstreamStatus && upstreamStatus >= 400 && upstreamStatus < 500 ? upstreamStatus : 400;
  }
}

export function typeForStatus(status: number): ErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 503) return 'service_unavailable';
  if (status === 504) return 'timeout_error';
  if (status >= 400 && status < 500) return 'invalid_request_error';
  return 'api_error';
}

// OpenAI's own `type` vocabulary: 5xx are `server_error`, a missing resource is an invalid request.
const OPENAI_TYPE: Record<ErrorType, string> = {
  invalid_request_error: 'invalid_request_error',
  authentication_error: 'authentication_error',
  permission_error: 'permission_error',
  not_found_error: 'invalid_request_error',
  rate_limit_error: 'rate_limit_error',
  api_error: 'server_error',
  service_unavailable: 'server_error',
  timeout_error: 'server_error',
};

const DEFAULT_CODE: Partial<Record<ErrorType, string>> = {
  timeout_error: 'timeout',
  service_unavailable: 'service_unavailable',
  rate_limit_error: 'rate_limit_exceeded',
};

/** The error's code in Switchyard's own terms (any dialect): its code, else the default for its type, else its type. */
export function errorCode(err: SwitchyardError): string {
  return err.code ?? DEFAULT_CODE[err.type] ?? err.type;
}

/** The error body `/v1` answers with; a secret that reached the message (an upstream echoing its key) is masked. */
export function toOpenAIError(err: SwitchyardError): OpenAIErrorBody {
  return {
    error: { message: redactSecrets(err.message), type: OPENAI_TYPE[err.type], param: err.param, code: err.code ?? DEFAULT_CODE[err.type] ?? null },
  };
}
