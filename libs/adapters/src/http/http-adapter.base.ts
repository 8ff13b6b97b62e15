import { UpstreamError, type BackendConfig } from '@switchyard/contracts';
import type { AdapterContext } from '../adapter';
import { UpstreamClient, type UpstreamErrorDetail, type UpstreamResponse } from './upstream-client';
import type { UpstreamStream } from './upstream-stream';

/** How a protocol carries an API key: the header(s) it goes in. */
export type CredentialHeaders = (apiKey: string) => Record<string, string>;

/** `Authorization: Bearer <key>`, as OpenAI-compatible servers (and proxies in front of Ollama) take it. */
export const bearerCredential: CredentialHeaders = (apiKey) => ({ authorization: `Bearer ${apiKey}` });

/**
 * What every HTTP backend adapter shares: the pooled client, the headers sent on every call,
 * POST with error mapping, a reachability probe, and the protocol's error-body reader.
 */
export abstract class HttpAdapter {
  protected readonly http: UpstreamClient;
  /** Sent on every call: the protocol's and the backend's configured headers, and the backend's own key. */
  protected readonly headers: Record<string, string>;
  /** The same without any credential header, for a call that carries a key of its own. */
  private readonly keyless: Record<string, string>;

  protected constructor(
    readonly backend: BackendConfig,
    /** The protocol's fixed headers (an API version) and the backend's configured extras, in that order. */
    baseHeaders: Record<string, string>,
    private readonly credential: CredentialHeaders,
    private readonly errorDetail: (body: unknown) => UpstreamErrorDetail,
  ) {
    this.http = new UpstreamClient(backend);
    this.headers = backend.apiKey ? { ...baseHeaders, ...credential(backend.apiKey) } : baseHeaders;
    // A configured header of the same name (any case) would send the backend's credential next to the call's.
    const names = new Set(Object.keys(credential('x')).map((n) => n.toLowerCase()));
    this.keyless = Object.fromEntries(Object.entries(baseHeaders).filter(([n]) => !names.has(n.toLowerCase())));
  }

  /**
   * POSTs a JSON body; a non-2xx answer is thrown as the mapped UpstreamError. `clientHeaders`
   * are headers the client carried, checked by the egress check with the body.
   */
  protected async post(
    path: string,
    body: string,
    ctx: AdapterContext,
    accept = 'application/json',
    clientHeaders?: Record<string, string>,
  ): Promise<UpstreamResponse> {
    const checked = this.egressCheck(body, ctx, clientHeaders);
    if (checked !== undefined) await checked;
    const headers = this.callHeaders(ctx, accept, clientHeaders);
    const res = await this.http.request({ method: 'POST', path, body, headers, signal: ctx.signal, deadlineAt: ctx.deadlineAt });
    if (res.status >= 300) throw await this.http.httpError(res, this.errorDetail, ctx.apiKey);
    return res;
  }

  /** As `post`, for an answer read as a stream (through undici's dispatch API). */
  protected async postStream(path: string, body: string, ctx: AdapterContext, accept: string): Promise<UpstreamStream> {
    const checked = this.egressCheck(body, ctx);
    if (checked !== undefined) await checked;
    const res = await this.http.stream({ method: 'POST', path, body, headers: this.callHeaders(ctx, accept), signal: ctx.signal, deadlineAt: ctx.deadlineAt });
    if (res.status >= 300) throw await this.http.httpError(res, this.errorDetail, ctx.apiKey);
    return res;
  }

  /** The egress check of `body` and what the client carried, when the call has one. */
  private egressCheck(body: string, ctx: AdapterContext, clientHeaders?: Record<string, string>): void | Promise<void> {
    if (!ctx.egress) return undefined;
    const trace = ctx.traceContext;
    // tracestate is the client's text and is checked with the headers it carried; traceparent is ids the gateway made.
    const carried = trace?.tracestate === undefined ? clientHeaders : { ...clientHeaders, tracestate: trace.tracestate };
    return ctx.egress(body, { ...carried, 'x-request-id': ctx.requestId });
  }

  /** A call's headers: the backend's (or the call's own key), what the client carried, trace context. */
  private callHeaders(ctx: AdapterContext, accept: string, clientHeaders?: Record<string, string>): Record<string, string> {
    // A call's own key (the tenant's, or the client's where allowed) replaces the backend's.
    const own = ctx.apiKey === undefined ? this.headers : { ...this.keyless, ...this.credential(ctx.apiKey) };
    return { ...own, ...clientHeaders, ...ctx.traceContext, accept, 'x-request-id': ctx.requestId };
  }

  /** Any answer below 500 (401 included) means the backend is there. */
  protected async probePath(path: string, signal: AbortSignal): Promise<void> {
    const res = await this.http.request({ method: 'GET', path, headers: this.headers, signal });
    if (res.status >= 500) throw await this.http.httpError(res, this.errorDetail);
    await res.body.dump();
  }

  /** An upstream answer the mapper choked on is the backend's failure (a protocol one), never the gateway's. */
  protected unreadable(err: unknown, what: string): UpstreamError {
    return err instanceof UpstreamError ? err : this.protocolError(`sent ${what} the gateway cannot read`);
  }

  protected protocolError(what: string): UpstreamError {
    const name = this.backend.name;
    return new UpstreamError({ backend: name, failure: 'protocol', message: `Backend ${name} ${what}.` });
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
