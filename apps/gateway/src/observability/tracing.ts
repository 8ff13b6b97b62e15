import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { FastifyRequest } from 'fastify';
import { withTraceContext, type BackendAdapter, type TraceContextHeaders } from '@switchyard/adapters';
import { errorCode, SwitchyardError, type BackendConfig, type RequestOutcome } from '@switchyard/contracts';
import type { RouteCandidate, RouteDecision } from '@switchyard/policy';
import { decisionAttributes, flushTracing, GenAiAttr, SwitchyardAttr, tracingEnabled } from '@switchyard/telemetry';
import type { OutcomeDraft } from './outcome-bus';

/** GenAI's operation name by route; other `/v1` routes (models, count_tokens) call no model. */
const OPERATIONS: ReadonlyMap<string, string> = new Map([
  ['/v1/chat/completions', 'chat'],
  ['/v1/messages', 'chat'],
  ['/v1/embeddings', 'embeddings'],
]);

/**
 * The gateway's spans, made by hand where they mean something: a SERVER span per `/v1` request
 * (continuing the client's trace when it sent `traceparent`), and under it the route decision and
 * one CLIENT span per backend attempt, whose W3C context the backend is sent. `on` is read once at
 * start (startTracing runs before Nest): when false the gateway never calls in here on a request.
 */
@Injectable()
export class RequestTracing implements OnApplicationShutdown {
  readonly on = tracingEnabled();
  private readonly tracer: Tracer = trace.getTracer('switchyard-gateway');
  private readonly traces = new WeakMap<OutcomeDraft, RequestTrace>();

  /** Starts the request's span when it arrives; its trace id goes into its outcome. */
  begin(req: FastifyRequest, draft: OutcomeDraft): void {
    const route = req.routeOptions.url;
    const operation = route === undefined ? undefined : OPERATIONS.get(route);
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: req.method,
      [ATTR_URL_PATH]: draft.endpoint,
      [SwitchyardAttr.REQUEST_ID]: draft.requestId,
    };
    if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
    if (operation !== undefined) attributes[GenAiAttr.OPERATION] = operation;
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = this.tracer.startSpan(route === undefined ? req.method : `${req.method} ${route}`, { kind: SpanKind.SERVER, attributes }, parent);
    draft.traceId = span.spanContext().traceId;
    this.traces.set(draft, new RequestTrace(this.tracer, span, trace.setSpan(parent, span), req, operation));
  }

  /** The request's trace, for its route decision and attempts. */
  of(draft: OutcomeDraft | undefined): RequestTrace | undefined {
    return draft === undefined ? undefined : this.traces.get(draft);
  }

  /** Ends the request's span with its outcome (status, tokens, error code), right after the outcome is emitted. */
  end(draft: OutcomeDraft, outcome: RequestOutcome): void {
    const t = this.traces.get(draft);
    if (t === undefined) return;
    this.traces.delete(draft);
    t.end(outcome);
  }

  /** The spans of the last requests leave before the process exits. */
  async onApplicationShutdown(): Promise<void> {
    if (this.on) await flushTracing();
  }
}

/** One request's SERVER span and the context its child spans start under. */
export class RequestTrace {
  /** The attempt that answered, until it settles: for the response model, and ended with the request if never settled. */
  private served?: AttemptTrace;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    readonly context: Context,
    private readonly req: FastifyRequest,
    readonly operation: string | undefined,
  ) {}

  /** The `switchyard.route` span around a decision; `decide` gets the context a gRPC call to the router runs under. */
  async route(mode: 'embedded' | 'remote', decide: (parent: Context) => Promise<RouteDecision>): Promise<RouteDecision> {
    const span = this.tracer.startSpan('switchyard.route', { attributes: { [SwitchyardAttr.POLICY_MODE]: mode } }, this.context);
    try {
      const decision = await decide(trace.setSpan(this.context, span));
      span.setAttributes(decisionAttributes(decision));
      return decision;
    } catch (err) {
      failed(span, err instanceof SwitchyardError ? errorCode(err) : 'internal');
      throw err;
    } finally {
      span.end();
    }
  }

  /** A CLIENT span for one attempt at `candidate`, the `n`th of the request. */
  attempt(backend: BackendConfig, candidate: RouteCandidate, n: number): AttemptTrace {
    const attributes: Attributes = {
      ...serverOf(backend),
      [GenAiAttr.REQUEST_MODEL]: candidate.model,
      [GenAiAttr.PROVIDER]: backend.protocol,
      [GenAiAttr.SYSTEM]: backend.protocol,
      [SwitchyardAttr.BACKEND]: candidate.backend,
      [SwitchyardAttr.TIER]: candidate.tier,
      [SwitchyardAttr.ATTEMPT]: n,
    };
    if (this.operation !== undefined) attributes[GenAiAttr.OPERATION] = this.operation;
    if (candidate.panic) attributes[SwitchyardAttr.PANIC] = true;
    const name = `${this.operation ?? 'call'} ${candidate.model}`;
    const span = this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, this.context);
    const carrier: Partial<TraceContextHeaders> = {};
    toBackends().inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    return new AttemptTrace(this, span, carrier.traceparent === undefined ? undefined : (carrier as TraceContextHeaders), backend.protocol, candidate.model);
  }

  /** Called by the attempt that answered. */
  answeredBy(attempt: AttemptTrace): void {
    this.served = attempt;
  }

  end(outcome: RequestOutcome): void {
    const served = this.served;
    // A placed answer nobody settled (it should not happen) still ends its span.
    served?.settle(outcome.status < 400, outcome.status);
    const a: Attributes = {
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: outcome.status,
      [SwitchyardAttr.STREAMED]: outcome.streamed,
      [SwitchyardAttr.ATTEMPTS]: outcome.attempts.length,
    };
    if (outcome.model !== undefined) a[GenAiAttr.REQUEST_MODEL] = outcome.model;
    if (served !== undefined) {
      a[GenAiAttr.RESPONSE_MODEL] = served.model;
      a[GenAiAttr.PROVIDER] = served.protocol;
      a[GenAiAttr.SYSTEM] = served.protocol;
    }
    if (outcome.inputTokens !== undefined) a[GenAiAttr.INPUT_TOKENS] = outcome.inputTokens;
    if (outcome.outputTokens !== undefined) a[GenAiAttr.OUTPUT_TOKENS] = outcome.outputTokens;
    if (this.operation === 'chat') requestParameters(this.req.body, a);
    const principal = outcome.principal;
    if (principal !== undefined) {
      a[SwitchyardAttr.TENANT] = principal.tenantId;
      a[SwitchyardAttr.KEY] = principal.keyId;
    }
    if (outcome.route !== undefined) a[SwitchyardAttr.ROUTE] = outcome.route;
    if (outcome.backend !== undefined) a[SwitchyardAttr.BACKEND] = outcome.backend;
    if (outcome.tier !== undefined) a[SwitchyardAttr.TIER] = outcome.tier;
    if (outcome.ttftMs !== undefined) a[SwitchyardAttr.TTFT_MS] = outcome.ttftMs;
    if (outcome.costUsd !== undefined) a[SwitchyardAttr.COST_USD] = outcome.costUsd;
    if (outcome.pii.length > 0) a[SwitchyardAttr.PII] = [...outcome.pii];
    this.span.setAttributes(a);
    if (outcome.status >= 400) failed(this.span, outcome.errorCode ?? String(outcome.status));
    this.span.end();
  }
}

/** One backend attempt's span: ended when the attempt fails, or when the answer it gave is settled (a stream: at its end). */
export class AttemptTrace {
  private ended = false;

  constructor(
    private readonly owner: RequestTrace,
    private readonly span: Span,
    /** The W3C context naming this span, which the backend is sent. */
    private readonly headers: TraceContextHeaders | undefined,
    readonly protocol: string,
    readonly model: string,
  ) {}

  /** The adapter this attempt calls through: every call carries the span's trace context. */
  wrap(adapter: BackendAdapter): BackendAdapter {
    return this.headers === undefined ? adapter : withTraceContext(adapter, this.headers);
  }

  /** The backend answered (a stream: its first chunk); the span lasts until the attempt settles. */
  answered(): void {
    this.owner.answeredBy(this);
  }

  /** The answer's end: `success` false for a stream that failed after its first chunk. */
  settle(success: boolean, status: number): void {
    this.finish(success ? 'ok' : 'error', status, !success);
  }

  /** The attempt failed (`outcome`: connect, timeout, server_error, ...). */
  fail(outcome: string, status: number): void {
    this.finish(outcome, status, true);
  }

  /** The backend answered but the gateway failed with its answer: the error is the request's, not this call's. */
  abandon(): void {
    this.finish('abandoned', 200, false);
  }

  private finish(outcome: string, status: number, error: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.span.setAttributes({ [SwitchyardAttr.ATTEMPT_OUTCOME]: outcome, [SwitchyardAttr.ATTEMPT_STATUS]: status });
    if (error) failed(this.span, outcome);
    this.span.end();
  }
}

let w3c: TextMapPropagator | undefined;

/**
 * Backends are sent W3C trace context only (not the client's baggage, whatever OTEL_PROPAGATORS
 * says). Loaded on first use: only a tracing gateway needs it.
 */
function toBackends(): TextMapPropagator {
  return (w3c ??= new (require('@opentelemetry/core') as typeof import('@opentelemetry/core')).W3CTraceContextPropagator());
}

function failed(span: Span, code: string): void {
  span.setAttribute(ATTR_ERROR_TYPE, code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

const servers = new WeakMap<BackendConfig, Attributes>();

/** `server.address` and `server.port` of a backend, worked out once per config. */
function serverOf(backend: BackendConfig): Attributes {
  let attributes = servers.get(backend);
  if (attributes === undefined) {
    const url = new URL(backend.baseUrl);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    servers.set(backend, (attributes = { [ATTR_SERVER_ADDRESS]: url.hostname, [ATTR_SERVER_PORT]: port }));
  }
  return attributes;
}

/** The sampling parameters the client asked for (numbers only; never the messages). */
function requestParameters(body: unknown, a: Attributes): void {
  if (body === null || typeof body !== 'object') return;
  const b = body as Record<string, unknown>;
  const max = b.max_completion_tokens ?? b.max_tokens;
  if (typeof max === 'number') a[GenAiAttr.REQUEST_MAX_TOKENS] = max;
  if (typeof b.temperature === 'number') a[GenAiAttr.REQUEST_TEMPERATURE] = b.temperature;
  if (typeof b.top_p === 'number') a[GenAiAttr.REQUEST_TOP_P] = b.top_p;
  if (typeof b.stream === 'boolean') a[GenAiAttr.REQUEST_STREAM] = b.stream;
}
