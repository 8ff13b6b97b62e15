import { UpstreamError, type BackendConfig } from '@switchyard/contracts';
import type { AdapterContext } from '../adapter';
import { UpstreamClient, type UpstreamErrorDetail, type UpstreamResponse } from './upstream-client';

/**
 * What every HTTP backend adapter shares: the pooled client, the headers sent on every call,
 * POST with error mapping, a reachability probe, and the protocol's error-body reader.
 */
export abstract class HttpAdapter {
  protected readonly http: UpstreamClient;

  protected constructor(
    readonly backend: BackendConfig,
    /** Sent on every call: credentials, API version, the backend's configured extras. */
    protected readonly headers: Record<string, string>,
    private readonly errorDetail: (body: unknown) => UpstreamErrorDetail,
  ) {
    this.http = new UpstreamClient(backend);
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
    if (ctx.egress) {
      const checked = ctx.egress(body, { ...clientHeaders, 'x-request-id': ctx.requestId });
      if (checked !== undefined) await checked;
    }
    const headers = { ...this.headers, ...clientHeaders, accept, 'x-request-id': ctx.requestId };
    const res = await this.http.request({ method: 'POST', path, body, headers, signal: ctx.signal, deadlineAt: ctx.deadlineAt });
    if (res.status >= 300) throw await this.http.httpError(res, this.errorDetail);
    return res;
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
