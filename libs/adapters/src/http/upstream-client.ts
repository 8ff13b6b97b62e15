import { Pool, type Dispatcher } from 'undici';
import { maskValue, redactSecrets, UpstreamError, type BackendConfig, type ErrorType } from '@switchyard/contracts';
import type { EventSourceMessage } from 'eventsource-parser';
import { CallAbort, onAbort, type CallSignal } from './call-abort';
import { readNdjson, readSse } from './stream-readers';
import { UpstreamStream } from './upstream-stream';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  /** The signal the attempt runs under: read failures are classified against it. */
  signal: CallSignal;
}

/**
 * On an object parsed from JSON (an upstream answer by readJson, a client's body by the gateway's
 * parser): the text it was parsed from. Not enumerable, so a copy (`{ ...value }`) never carries it.
 */
export const RAW_JSON: unique symbol = Symbol('switchyard.rawJson');

/** The JSON text `value` was parsed from, if it carries it. */
export function rawJson(value: unknown): string | undefined {
  return value !== null && typeof value === 'object' ? (value as { [RAW_JSON]?: string })[RAW_JSON] : undefined;
}

/** Lets an object parsed from `text` carry it (see RAW_JSON); anything else is left alone. */
export function keepRawJson(value: unknown, text: string): void {
  if (value !== null && typeof value === 'object') Object.defineProperty(value, RAW_JSON, { value: text });
}

/** What an error answer is read from: a response, or a stream's. */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<unknown>;
}

export interface UpstreamErrorDetail {
  message?: string;
  code?: string | null;
  param?: string | null;
}

export interface UpstreamRequest {
  method: 'GET' | 'POST';
  /** Appended to the base URL's path. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  signal: CallSignal;
  /** The caller's deadline (performance.now() clock): when it comes before `totalMs`, no timer of our own is needed. */
  deadlineAt?: number;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const MAX_ERROR_BODY = 64 * 1024;
const NETWORK_CODE = /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/;

/** A keep-alive pool to one backend, with its timeouts; every failure becomes an UpstreamError. */
export class UpstreamClient {
  private readonly pool: Pool;
  private readonly basePath: string;

  constructor(private readonly backend: BackendConfig) {
    const url = new URL(backend.baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    const t = backend.timeouts;
    this.pool = new Pool(url.origin, {
      connections: backend.maxConcurrency,
      connect: { timeout: t.connectMs },
      headersTimeout: t.firstByteMs,
      bodyTimeout: t.idleMs,
      keepAliveTimeout: 30_000,
    });
  }

  /** Sends a request; resolves with any status (the adapter decides what an error status means). */
  async request(req: UpstreamRequest): Promise<UpstreamResponse> {
    const { signal, done } = this.attemptSignal(req);
    try {
      const res = await this.pool.request({
        method: req.method,
        path: this.basePath + req.path,
        headers: req.body === undefined ? req.headers : { 'content-type': 'application/json', ...req.headers },
        body: req.body,
        signal,
      });
      if (done) res.body.once('close', done);
      return { status: res.statusCode, headers: res.headers, body: res.body, signal };
    } catch (err) {
      done?.();
      throw this.failure(err, signal);
    }
  }

  /**
   * Sends a request whose answer is read as a stream through undici's dispatch API (cheaper per
   * read than a body Readable); resolves with any status once the headers came.
   */
  async stream(req: UpstreamRequest): Promise<UpstreamStream> {
    const { signal, done } = this.attemptSignal(req);
    const stream = new UpstreamStream(signal, this.classify, done);
    this.pool.dispatch(
      {
        method: req.method,
        path: this.basePath + req.path,
        headers: req.body === undefined ? req.headers : { 'content-type': 'application/json', ...req.headers },
        body: req.body,
      },
      stream,
    );
    await stream.started;
    return stream;
  }

  private readonly classify = (err: unknown, signal: CallSignal): UpstreamError => this.failure(err, signal);

  /**
   * The signal one attempt runs under: the caller's, plus `totalMs` when that comes first.
   * Built by hand (one listener, one timer, cleared when the body closes): AbortSignal.any and
   * AbortSignal.timeout cost a tenth of the gateway's CPU per request and load the GC.
   */
  private attemptSignal(req: UpstreamRequest): { signal: CallSignal; done?: () => void } {
    const totalMs = this.backend.timeouts.totalMs;
    if (req.deadlineAt !== undefined && req.deadlineAt - performance.now() <= totalMs) return { signal: req.signal };
    const attempt = new CallAbort();
    const parent = req.signal;
    let unlisten: (() => void) | undefined;
    if (parent.aborted) attempt.abort(parent.reason);
    else unlisten = onAbort(parent, () => attempt.abort(parent.reason));
    const timer = setTimeout(() => attempt.abort(new DOMException(`no answer within ${totalMs} ms`, 'TimeoutError')), totalMs);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      unlisten?.();
    };
    return { signal: attempt, done };
  }

  /** Iterates a response body, turning read failures (idle timeout, reset, abort) into UpstreamErrors. */
  async *chunks(res: UpstreamResponse): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of res.body) yield chunk as Buffer;
    } catch (err) {
      throw this.failure(err, res.signal);
    }
  }

  /** Server-sent events of a stream, each bounded by the backend's `limits.streamEventBytes`. */
  sse(res: UpstreamResponse): AsyncGenerator<EventSourceMessage> {
    const max = this.backend.limits.streamEventBytes;
    return readSse(this.chunks(res), max, () => this.tooLarge('a stream event', max, 'streamEventBytes'));
  }

  /** NDJSON lines of a stream, each bounded by the backend's `limits.streamEventBytes`. */
  ndjson<T>(res: UpstreamResponse): AsyncGenerator<T> {
    const max = this.backend.limits.streamEventBytes;
    return readNdjson<T>(this.chunks(res), max, () => this.tooLarge('a stream line', max, 'streamEventBytes'));
  }

  /** A JSON answer, read up to the backend's `limits.responseBytes` (past that the body is dropped and the call fails). */
  async readJson<T>(res: UpstreamResponse): Promise<T> {
    const max = this.backend.limits.responseBytes;
    const length = Number(res.headers['content-length']);
    if (length > max) {
      res.body.destroy();
      throw this.tooLarge('an answer', max, 'responseBytes');
    }
    let text: string;
    if (Number.isFinite(length)) {
      // A declared length within the cap (undici refuses a body longer than declared): read it whole,
      // without an async iterator per answer.
      try {
        text = await res.body.text();
      } catch (err) {
        throw this.failure(err, res.signal);
      }
    } else text = await this.readCapped(res, max);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UpstreamError({ backend: this.backend.name, failure: 'protocol', message: `Backend ${this.backend.name} returned a body that is not JSON.` });
    }
    // The bytes as received ride along (not enumerable), so an answer passed through unchanged
    // can be sent on without serialising it again.
    keepRawJson(parsed, text);
    return parsed as T;
  }

  /** A body of unknown length, read chunk by chunk and given up past `max` bytes. */
  private async readCapped(res: UpstreamResponse, max: number): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        // Leaving the loop destroys the body: the connection and what was read are let go.
        if (size > max) throw this.tooLarge('an answer', max, 'responseBytes');
        parts.push(chunk as Buffer);
      }
    } catch (err) {
      throw this.failure(err, res.signal);
    }
    return parts.length === 1 ? parts[0].toString('utf8') : Buffer.concat(parts, size).toString('utf8');
  }

  /**
   * The UpstreamError for a non-2xx answer. `extract` pulls the message (and type) out of the
   * protocol's error body; the message is redacted since providers sometimes echo key fragments.
   */
  async httpError(res: ErrorAnswer, extract: (body: unknown) => UpstreamErrorDetail, callKey?: string): Promise<UpstreamError> {
    let text = '';
    try {
      for await (const chunk of res.body) {
        text += (chunk as Buffer).toString('utf8');
        if (text.length > MAX_ERROR_BODY) break;
      }
    } catch {
      // The status alone is enough to classify the failure.
    }
    // A key of the call's own (a tenant's, a client's) is no configured secret: masked here, whatever its shape.
    if (callKey !== undefined) text = maskValue(text, callKey);
    let detail: ReturnType<typeof extract> = {};
    let structured = false;
    try {
      detail = extract(JSON.parse(text));
      structured = typeof detail.message === 'string';
    } catch {
      // An HTML page or a stack trace: for the log only.
    }
    const name = this.backend.name;
    const status = res.status;
    const said = redactSecrets((structured ? (detail.message as string) : text).trim().slice(0, 500)) || undefined;
    if (status < 400) {
      // Backends are called on their API paths, which never redirect: a redirect means a wrong baseUrl.
      const location = res.headers.location;
      return new UpstreamError({
        backend: name,
        failure: 'protocol',
        upstreamStatus: status,
        message: `Backend ${name} answered with a redirect (${status}); check its baseUrl.`,
        detail: `location: ${redactSecrets(String(location ?? 'none'))}`,
      });
    }
    const failure = status === 429 ? 'rate_limited' : status >= 500 ? 'server_error' : 'client_error';
    const retryAfter = res.headers['retry-after'];
    // The client sees what a backend said only when it is the caller's problem (a 4xx) and came as
    // the protocol's error message; anything else (5xx text, HTML, traces) goes to the log.
    const forClient = failure !== 'server_error' && structured ? said : undefined;
    return new UpstreamError({
      backend: name,
      failure,
      upstreamStatus: status,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      message:
        failure === 'client_error'
          ? (forClient ?? `Backend ${name} answered ${status}.`)
          : `Backend ${name} answered ${status}${forClient ? `: ${forClient}` : '.'}`,
      detail: said,
      type: failure === 'client_error' ? clientErrorType(status) : undefined,
      code: failure === 'client_error' ? (detail.code ?? null) : status === 429 ? 'rate_limit_exceeded' : 'upstream_error',
      param: failure === 'client_error' ? (detail.param ?? null) : null,
    });
  }

  tooLarge(what: string, max: number, field: string): UpstreamError {
    const name = this.backend.name;
    return new UpstreamError({
      backend: name,
      failure: 'protocol',
      message: `Backend ${name} sent ${what} larger than the gateway accepts (${max} bytes, limits.${field}).`,
    });
  }

  /** Classifies a thrown error; the abort reason tells a client disconnect from a deadline. */
  failure(err: unknown, signal: CallSignal): UpstreamError {
    if (err instanceof UpstreamError) return err;
    const name = this.backend.name;
    const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code ?? '';
    if (signal.aborted || e.name === 'AbortError' || code === 'UND_ERR_ABORTED') {
      const reason = signal.reason as { name?: string } | undefined;
      if (reason?.name === 'TimeoutError') {
        return new UpstreamError({ backend: name, failure: 'timeout', message: `Backend ${name} did not answer within the deadline.`, cause: err });
      }
      return new UpstreamError({ backend: name, failure: 'aborted', message: 'The client closed the request.', cause: err });
    }
    if (TIMEOUT_CODES.has(code)) {
      return new UpstreamError({ backend: name, failure: 'timeout', message: `Backend ${name} timed out (${code}).`, cause: err });
    }
    if (CONNECT_CODES.has(code)) {
      return new UpstreamError({ backend: name, failure: 'connect', message: `Backend ${name} is unreachable (${code}).`, cause: err });
    }
    // System and undici codes say what happened; anything else is internal text, kept for the log.
    return new UpstreamError({
      backend: name,
      failure: 'network',
      message: NETWORK_CODE.test(code) ? `Connection to backend ${name} failed (${code}).` : `Connection to backend ${name} failed.`,
      detail: e.message === undefined ? code || undefined : redactSecrets(e.message),
      cause: err,
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function clientErrorType(status: number): ErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  return 'invalid_request_error';
}
