import type { FastifyReply, FastifyRequest } from 'fastify';

/** The client went away; the reason its upstream call was aborted. */
export class ClientClosedError extends Error {
  constructor() {
    super('The client closed the connection.');
    this.name = 'ClientClosedError';
  }
}

/** Per-request state the routing path needs: id, clock, and an abort signal for the upstream call. */
export interface RequestContext {
  requestId: string;
  startedAt: number;
  /** Aborts when the client disconnects or the chain deadline passes. */
  signal: AbortSignal;
  /** Time spent waiting on backends, for Server-Timing. */
  upstreamMs: number;
}

export function requestContext(req: FastifyRequest, reply: FastifyReply, deadlineMs: number): RequestContext {
  const client = new AbortController();
  const raw = reply.raw;
  raw.once('close', () => {
    if (!raw.writableFinished) client.abort(new ClientClosedError());
  });
  return {
    requestId: req.id,
    startedAt: (req as FastifyRequest & { startedAt?: number }).startedAt ?? performance.now(),
    signal: AbortSignal.any([client.signal, AbortSignal.timeout(deadlineMs)]),
    upstreamMs: 0,
  };
}

/** The gateway's own time so far: total minus time spent waiting on backends. */
export function gatewayMs(ctx: RequestContext): number {
  return Math.max(0, performance.now() - ctx.startedAt - ctx.upstreamMs);
}

/** `Server-Timing: gateway;dur=<ms>, upstream;dur=<ms>`: the gateway's own time and the backend's. */
export function serverTiming(ctx: RequestContext): string {
  return `gateway;dur=${gatewayMs(ctx).toFixed(3)}, upstream;dur=${ctx.upstreamMs.toFixed(3)}`;
}
