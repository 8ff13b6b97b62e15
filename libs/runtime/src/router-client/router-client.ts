import {
  decisionKey,
  fromDecideResponse,
  fromDecisionBasis,
  reusable,
  toDecideRequest,
  toOutcome,
  type DecisionBasis,
  type DecisionScope,
} from '@switchyard/policy';
import { propagation, SpanKind, SpanStatusCode, trace, type Context, type TextMapSetter, type Tracer } from '@opentelemetry/api';
import { ATTR_RPC_METHOD, ATTR_RPC_STATUS_CODE, ATTR_RPC_SYSTEM_NAME, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@opentelemetry/semantic-conventions';
import {
  Client,
  credentials,
  Metadata,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientWritableStream,
  type ServiceError,
  type StatusObject,
  status as GrpcStatus,
} from '@grpc/grpc-js';
import {
  type BackendStatesMsg,
  type DecideCallMsg,
  type DecideRequestMsg,
  type DecideResponseMsg,
  type DecideResultMsg,
  type OutcomeBatchMsg,
  type OutcomeMsg,
  type ReportSummaryMsg,
  type RouterServiceDefinition,
} from '@switchyard/contracts/router';
import { loadRouterProto } from '../router-proto';
import { routerChannelOptions, splitRouterUrl, type RouterClientTls } from '../tls/router-tls';
import type { AttemptOutcome, RequestFeatures, RouteDecision } from '@switchyard/policy';
import { ROUTER_DECIDE_METHOD, type Logger } from '@switchyard/telemetry';

export interface RouterClientOptions {
  /** Deadline of one Decide call (e.g. 250): past it the gateway decides on its own. */
  decideDeadlineMs: number;
  logger: Logger;
  /** Every BackendStates the router publishes (at once, on each change, and as a heartbeat). */
  onStates?: (s: BackendStatesMsg) => void;
  /** TLS to the router (`routerTarget` reads it from ROUTER_TLS_*); unset: plaintext, or the system's roots for a `grpcs://` URL. */
  tls?: RouterClientTls;
}

const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 5_000;
/** Outcomes kept while the report stream is down; the oldest go first. */
const MAX_PENDING_OUTCOMES = 1_000;
/**
 * Successes gather this long before they leave as one ReportOutcomeBatches message: one write here
 * and one read in the router per flush instead of per request. They are statistics; latency
 * figures do not need them sooner (the router publishes them once a second). A failure leaves at
 * once, with what waited: breakers must see it before more requests are sent to a dead backend.
 */
const OUTCOME_FLUSH_MS = 100;
/** Decisions kept for the current router state version; past it the oldest go. */
const MAX_CACHED_DECISIONS = 10_000;
/** A batch leaves at once when it is this big. */
const OUTCOME_BATCH_MAX = 256;
/** How long a success counts as "connected". The router's watch heartbeat (2 s) keeps it fresh. */
const CONNECTED_WINDOW_MS = 5_000;
/** No watch message for this long (3 heartbeats): the stream is stuck on a dead connection; reopen it. */
const WATCH_STALL_MS = 6_000;

/** Decide deadlines missed in a row after which the gateway stops waiting for the router. */
const SLOW_DECIDES_TO_TRIP = 3;
/** While tripped, one real question goes to the router in the background at most this often. */
const TRIPPED_PROBE_MS = 1_000;

/** Channel reconnects back off in the same range as the streams. */
const CHANNEL_OPTIONS = {
  'grpc.initial_reconnect_backoff_ms': BACKOFF_MIN_MS,
  'grpc.min_reconnect_backoff_ms': BACKOFF_MIN_MS,
  'grpc.max_reconnect_backoff_ms': BACKOFF_MAX_MS,
};

/** Trace context goes in a call's gRPC metadata. */
const METADATA_SETTER: TextMapSetter<Metadata> = { set: (metadata, key, value) => metadata.set(key, value) };

/** Exponential backoff with jitter, so a fleet of gateways does not reconnect in step. */
class Backoff {
  private next = BACKOFF_MIN_MS;

  delay(): number {
    const d = this.next * (0.8 + Math.random() * 0.4);
    this.next = Math.min(this.next * 2, BACKOFF_MAX_MS);
    return Math.round(d);
  }

  reset(): void {
    this.next = BACKOFF_MIN_MS;
  }
}

/**
 * The gateway's side of the router (`ROUTER_URL`): Decide on the hot path over one reused channel,
 * a WatchBackends stream that mirrors backend state (so the gateway can keep deciding on its own
 * when the router goes away), and a ReportOutcomes client stream that outcomes are written to
 * without ever blocking the request that produced them (batched every OUTCOME_FLUSH_MS over
 * ReportOutcomeBatches; a router without that rpc gets them one by one over ReportOutcomes).
 *
 * Outcomes written to a stream whose connection dies before the router read them are lost: they are
 * statistics, and the next ones carry the same signal. Outcomes reported while no stream is open wait
 * (up to MAX_PENDING_OUTCOMES) for the next one.
 *
 * Decisions are reused: the router answers with the state version it decided on and what of the
 * request it read (a DecisionScope), and pushes each new version over WatchBackends. A question
 * equal on everything the engine reads (decisionKey: privacy state, capability needs, sizes,
 * rule inputs and the in-flight counts weighed) gets the kept answer while the pushed version is
 * the one it was made on; identical questions in flight share one call. Without a live watch
 * nothing is reused, and weighted draws never are.
 */
export class RouterClient {
  private readonly methods: RouterServiceDefinition;
  private client?: Client;
  private started = false;
  private closed = false;
  private lastOkAt = 0;
  private lastFailAt = 0;

  private watchCall?: ClientReadableStream<BackendStatesMsg>;
  private readonly watchBackoff = new Backoff();
  private watchTimer?: NodeJS.Timeout;
  private watchStall?: NodeJS.Timeout;
  private watchLost = false;

  private decideCall?: ClientDuplexStream<DecideCallMsg, DecideResultMsg>;
  private decideReady = false;
  private readonly decideBackoff = new Backoff();
  private decideTimer?: NodeJS.Timeout;
  private nextId = 0;
  /** Decide deadlines missed in a row; at SLOW_DECIDES_TO_TRIP callers stop waiting (a hung router). */
  private missedInRow = 0;
  private probing = false;
  private nextProbeAt = 0;
  private readonly waiting = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  private reportCall?: ClientWritableStream<OutcomeBatchMsg | OutcomeMsg>;
  private reportWritable = false;
  /** False once the router answered UNIMPLEMENTED to ReportOutcomeBatches (an older router). */
  private batches = true;
  private flushTimer?: NodeJS.Timeout;
  private readonly reportBackoff = new Backoff();
  private reportTimer?: NodeJS.Timeout;
  private readonly pending: OutcomeMsg[] = [];
  private dropped = 0;
  private tracer?: Tracer;
  /** `host:port`: the URL without a scheme. */
  private readonly address: string;
  private readonly secure: boolean;

  /** The router state version last pushed over WatchBackends; '' while none is known (nothing is reused). */
  private stateVersion = '';
  /** Per model, what its decisions read, on `stateVersion`. */
  private readonly scopes = new Map<string, DecisionScope>();
  /** Decisions made on `stateVersion`, by decisionKey. */
  private readonly decisions = new Map<string, RouteDecision | undefined>();
  /** Questions on their way to the router, by decisionKey: an identical one waits for the same answer. */
  private readonly asking = new Map<string, Promise<RouteDecision | undefined>>();
  private hits = 0;
  private shared = 0;

  constructor(
    private readonly url: string,
    private readonly opts: RouterClientOptions,
  ) {
    this.methods = loadRouterProto().router;
    const { address, scheme } = splitRouterUrl(url);
    this.address = address;
    this.secure = opts.tls !== undefined || scheme === 'grpcs' || scheme === 'https';
  }

  /** Opens WatchBackends and ReportOutcomes; both reopen by themselves until close(). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.openWatch();
    this.openReport();
    this.openDecide();
  }

  /**
   * The router's decision; undefined when it does not know the model. Rejects (with the grpc-js
   * ServiceError: UNAVAILABLE, DEADLINE_EXCEEDED, ...) when the router cannot answer in time.
   * `traced`: the context of the caller's span; the call is then a CLIENT span under it, propagated to the router.
   */
  decide(features: RequestFeatures, inFlight: Readonly<Record<string, number>>, traced?: Context): Promise<RouteDecision | undefined> {
    if (this.closed) return Promise.reject(new Error('RouterClient is closed'));
    // A traced request makes its router call (and span) every time.
    if (traced !== undefined || this.stateVersion === '') return this.fresh(features, inFlight, traced);
    const scope = this.scopes.get(features.model);
    if (scope === undefined) return this.fresh(features, inFlight);
    const key = decisionKey(features, scope, inFlight);
    if (this.decisions.has(key)) {
      this.hits++;
      return Promise.resolve(this.decisions.get(key));
    }
    // A weighted draw is each request's own.
    if (scope.weighted) return this.fresh(features, inFlight);
    let answer = this.asking.get(key);
    if (answer !== undefined) this.shared++;
    else {
      answer = this.fresh(features, inFlight);
      this.asking.set(key, answer);
      const done = (): void => {
        if (this.asking.get(key) === answer) this.asking.delete(key);
      };
      answer.then(done, done);
    }
    return answer;
  }

  /** Decisions answered from the cache, and questions that shared another's call, so far. */
  get reuse(): { hits: number; shared: number } {
    return { hits: this.hits, shared: this.shared };
  }

  /** The router state version the watch last pushed; '' while none is known. */
  get currentStateVersion(): string {
    return this.stateVersion;
  }

  /** A question for the router; its answer is kept when the router says it may be. */
  private fresh(features: RequestFeatures, inFlight: Readonly<Record<string, number>>, traced?: Context): Promise<RouteDecision | undefined> {
    if (this.missedInRow >= SLOW_DECIDES_TO_TRIP) {
      // A router that accepts but does not answer (stopped, overloaded) would cost every request
      // the whole deadline: decide locally at once, and let this question probe it in the background.
      this.probe(features, inFlight);
      return Promise.reject(new Error(`router missed ${this.missedInRow} decide deadlines in a row; deciding locally until it answers`));
    }
    const asked = traced === undefined ? this.ask(features, inFlight) : this.askTraced(features, inFlight, traced);
    return asked.then(([decision, basis]) => {
      if (basis !== undefined) this.keep(features, inFlight, decision, basis);
      return decision;
    });
  }

  /** Keeps a decision made on the version the watch last pushed: an older one is stale, a newer one not yet known to be current. */
  private keep(features: RequestFeatures, inFlight: Readonly<Record<string, number>>, decision: RouteDecision | undefined, basis: DecisionBasis): void {
    if (basis.stateVersion !== this.stateVersion || !reusable(decision)) return;
    if (!this.scopes.has(features.model) && this.scopes.size >= MAX_CACHED_DECISIONS) this.scopes.delete(this.scopes.keys().next().value!);
    this.scopes.set(features.model, basis.scope);
    if (this.decisions.size >= MAX_CACHED_DECISIONS) this.decisions.delete(this.decisions.keys().next().value!);
    this.decisions.set(decisionKey(features, basis.scope, inFlight), decision);
  }

  /** A new state version (or none): nothing decided before may be reused. */
  private setStateVersion(version: string): void {
    if (version === this.stateVersion) return;
    this.stateVersion = version;
    this.scopes.clear();
    this.decisions.clear();
    // Answers still on their way were made on the old version: later questions must not share them.
    this.asking.clear();
  }

  /**
   * A traced question goes as a unary Decide, whose metadata carries the trace context: a message
   * on the shared DecideStream has no metadata of its own. Only traced requests pay for that.
   */
  private askTraced(features: RequestFeatures, inFlight: Readonly<Record<string, number>>, parent: Context): Promise<Answer> {
    const port = this.address.lastIndexOf(':');
    const span = (this.tracer ??= trace.getTracer('switchyard-router-client')).startSpan(
      ROUTER_DECIDE_METHOD,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_RPC_SYSTEM_NAME]: 'grpc',
          [ATTR_RPC_METHOD]: ROUTER_DECIDE_METHOD,
          [ATTR_SERVER_ADDRESS]: this.address.slice(0, port),
          [ATTR_SERVER_PORT]: Number(this.address.slice(port + 1)),
        },
      },
      parent,
    );
    const metadata = new Metadata();
    propagation.inject(trace.setSpan(parent, span), metadata, METADATA_SETTER);
    return this.unary(toDecideRequest(features, inFlight), metadata).then(
      (answered) => {
        span.setAttribute(ATTR_RPC_STATUS_CODE, 'OK');
        span.end();
        return answered;
      },
      (err: Error) => {
        const code = (err as Partial<ServiceError>).code;
        const name = code === undefined ? 'UNKNOWN' : GrpcStatus[code];
        span.setAttribute(ATTR_RPC_STATUS_CODE, name);
        span.setStatus({ code: SpanStatusCode.ERROR, message: name });
        span.end();
        throw err;
      },
    );
  }

  /** True while the router is skipped for missing its deadlines. */
  get tripped(): boolean {
    return this.missedInRow >= SLOW_DECIDES_TO_TRIP;
  }

  private probe(features: RequestFeatures, inFlight: Readonly<Record<string, number>>): void {
    if (this.probing || Date.now() < this.nextProbeAt) return;
    this.probing = true;
    this.ask(features, inFlight).then(
      () => {
        this.probing = false;
        this.opts.logger.info({ router: this.url }, 'router answers in time again');
      },
      () => {
        this.probing = false;
        this.nextProbeAt = Date.now() + TRIPPED_PROBE_MS;
      },
    );
  }

  private missed(): void {
    this.lastFailAt = Date.now();
    if (++this.missedInRow === SLOW_DECIDES_TO_TRIP) {
      this.nextProbeAt = this.lastFailAt + TRIPPED_PROBE_MS;
      this.opts.logger.warn({ router: this.url }, `router missed ${SLOW_DECIDES_TO_TRIP} decide deadlines in a row; deciding locally and probing it`);
    }
  }

  private ask(features: RequestFeatures, inFlight: Readonly<Record<string, number>>): Promise<Answer> {
    const request = toDecideRequest(features, inFlight);
    const call = this.decideCall;
    if (call && this.decideReady) return this.decideOnStream(call, request);
    return this.unary(request, new Metadata());
  }

  /** One unary Decide, within the deadline. */
  private unary(request: DecideRequestMsg, metadata: Metadata): Promise<Answer> {
    const m = this.methods.Decide;
    return new Promise((resolve, reject) => {
      this.channel().makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        request,
        metadata,
        { deadline: Date.now() + this.opts.decideDeadlineMs },
        (err: ServiceError | null, res?: DecideResponseMsg) => {
          if (err || !res) {
            if (err?.code === GrpcStatus.DEADLINE_EXCEEDED) this.missed();
            else this.lastFailAt = Date.now();
            reject(err ?? new Error('Decide returned no response'));
            return;
          }
          this.missedInRow = 0;
          this.lastOkAt = Date.now();
          resolve(answer(res));
        },
      );
    });
  }

  /** True while decisions go over the long-lived DecideStream (else each is a unary Decide). */
  get streaming(): boolean {
    return this.decideCall !== undefined && this.decideReady;
  }

  /** One message on the long-lived DecideStream; the same deadline as a unary Decide. */
  private decideOnStream(call: ClientDuplexStream<DecideCallMsg, DecideResultMsg>, request: DecideCallMsg['request']): Promise<Answer> {
    const id = (this.nextId = (this.nextId + 1) >>> 0);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.waiting.delete(id)) {
          this.missed();
          reject(new Error(`Decide did not answer within ${this.opts.decideDeadlineMs} ms`));
        }
      }, this.opts.decideDeadlineMs);
      this.waiting.set(id, { resolve, reject, timer });
      call.write({ id, request });
    });
  }

  // ---- DecideStream ----

  private openDecide(): void {
    if (this.closed) return;
    const m = this.methods.DecideStream;
    const call = this.channel().makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, waitForReady(), {});
    this.decideCall = call;
    this.decideReady = false;
    // The stream is used once the router has answered on it; until then requests go unary.
    call.on('metadata', () => {
      if (this.decideCall === call) this.decideReady = true;
    });
    call.on('data', (r: DecideResultMsg) => {
      const w = this.waiting.get(r.id);
      if (!w) return; // answered after its deadline
      this.waiting.delete(r.id);
      clearTimeout(w.timer);
      this.decideReady = true;
      this.decideBackoff.reset();
      this.missedInRow = 0;
      if (r.error || !r.response) {
        this.lastFailAt = Date.now();
        w.reject(new Error(`router failed to decide: ${r.error || 'no response'}`));
        return;
      }
      this.lastOkAt = Date.now();
      w.resolve(answer(r.response));
    });
    call.on('error', () => undefined); // 'status' follows
    call.on('status', () => {
      if (this.decideCall !== call) return;
      this.decideCall = undefined;
      this.decideReady = false;
      // Questions in flight on a dead stream fail now; the caller decides on its own.
      for (const [id, w] of this.waiting) {
        clearTimeout(w.timer);
        this.waiting.delete(id);
        w.reject(new Error('router decide stream closed'));
      }
      if (this.closed) return;
      this.lastFailAt = Date.now();
      this.decideTimer = setTimeout(() => this.openDecide(), this.decideBackoff.delay());
      this.decideTimer.unref();
    });
  }

  /** Never throws, never blocks: queued for the next flush (bounded while no stream is open). */
  report(outcome: AttemptOutcome): void {
    if (this.closed) return;
    try {
      this.pending.push(toOutcome(outcome));
      if (this.pending.length > MAX_PENDING_OUTCOMES) {
        this.pending.shift();
        if (this.dropped++ === 0) this.opts.logger.warn({ router: this.url }, `router outcome buffer full (${MAX_PENDING_OUTCOMES}); dropping the oldest`);
      }
      if (!outcome.success || this.pending.length >= OUTCOME_BATCH_MAX) {
        clearTimeout(this.flushTimer);
        this.flushTimer = undefined;
        this.flush();
      } else if (!this.flushTimer) {
        this.flushTimer = setTimeout(() => {
          this.flushTimer = undefined;
          this.flush();
        }, OUTCOME_FLUSH_MS);
        this.flushTimer.unref();
      }
    } catch (err) {
      this.opts.logger.warn({ err, router: this.url }, 'could not report an outcome to the router');
    }
  }

  /** The last Decide or WatchBackends message succeeded, and recently. */
  get connected(): boolean {
    return this.lastOkAt > this.lastFailAt && Date.now() - this.lastOkAt < CONNECTED_WINDOW_MS;
  }

  /** Ends the report stream (waiting briefly for the router's summary), stops the watch, closes the channel. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.watchTimer);
    clearTimeout(this.watchStall);
    clearTimeout(this.reportTimer);
    clearTimeout(this.flushTimer);
    clearTimeout(this.decideTimer);
    this.decideCall?.cancel();
    this.decideCall = undefined;
    this.watchCall?.cancel();
    this.watchCall = undefined;
    this.setStateVersion('');
    // What waited for the next flush goes now, before the stream ends.
    this.flush();
    const call = this.reportCall;
    this.reportCall = undefined;
    if (call) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          call.cancel();
          resolve();
        }, 1_000);
        call.on('status', () => {
          clearTimeout(timer);
          resolve();
        });
        call.end();
      });
    }
    this.client?.close();
  }

  /** One channel for everything, created on first use. */
  private channel(): Client {
    if (this.client) return this.client;
    const tls = this.opts.tls;
    const creds = tls?.credentials ?? (this.secure ? credentials.createSsl() : credentials.createInsecure());
    return (this.client = new Client(this.address, creds, { ...CHANNEL_OPTIONS, ...routerChannelOptions(tls) }));
  }

  // ---- WatchBackends ----

  private openWatch(): void {
    if (this.closed) return;
    const m = this.methods.WatchBackends;
    const call = this.channel().makeServerStreamRequest(m.path, m.requestSerialize, m.responseDeserialize, {}, waitForReady(), {});
    this.watchCall = call;
    call.on('data', (states: BackendStatesMsg) => {
      this.lastOkAt = Date.now();
      this.setStateVersion(states.stateVersion);
      this.watchBackoff.reset();
      this.armWatchStall(call);
      if (this.watchLost) {
        this.watchLost = false;
        this.opts.logger.info({ router: this.url }, 'router watch re-established');
      }
      try {
        this.opts.onStates?.(states);
      } catch (err) {
        this.opts.logger.warn({ err }, 'onStates handler failed');
      }
    });
    // 'status' always follows; an 'error' without a listener would throw.
    call.on('error', () => undefined);
    call.on('status', (s: StatusObject) => {
      if (this.watchCall !== call) return;
      this.watchCall = undefined;
      clearTimeout(this.watchStall);
      // Versions pushed no more: what was decided may be stale at any moment.
      this.setStateVersion('');
      if (this.closed) return;
      this.lastFailAt = Date.now();
      if (!this.watchLost) {
        this.watchLost = true;
        this.opts.logger.warn({ router: this.url, code: s.code, details: s.details }, 'router watch lost; reconnecting');
      }
      this.watchTimer = setTimeout(() => this.openWatch(), this.watchBackoff.delay());
      this.watchTimer.unref();
    });
  }

  private armWatchStall(call: ClientReadableStream<BackendStatesMsg>): void {
    clearTimeout(this.watchStall);
    this.watchStall = setTimeout(() => {
      if (this.watchCall === call) call.cancel(); // its 'status' reopens it
    }, WATCH_STALL_MS);
    this.watchStall.unref();
  }

  // ---- ReportOutcomes ----

  private openReport(): void {
    if (this.closed) return;
    const m = this.batches ? this.methods.ReportOutcomeBatches : this.methods.ReportOutcomes;
    const opened = Date.now();
    const call: ClientWritableStream<OutcomeBatchMsg | OutcomeMsg> = this.channel().makeClientStreamRequest(
      m.path,
      m.requestSerialize as (v: OutcomeBatchMsg | OutcomeMsg) => Buffer,
      m.responseDeserialize,
      waitForReady(),
      {},
      (err: ServiceError | null, _res?: ReportSummaryMsg) => {
        if (this.reportCall !== call) return;
        this.reportCall = undefined;
        this.reportWritable = false;
        if (this.closed) return;
        if (err?.code === GrpcStatus.UNIMPLEMENTED && this.batches) {
          // A router from before ReportOutcomeBatches: report one outcome per message from now on.
          this.batches = false;
          this.opts.logger.info({ router: this.url }, 'router has no ReportOutcomeBatches; reporting outcomes one by one');
          this.openReport();
          return;
        }
        // A stream that lived a while was healthy: start the backoff over.
        if (Date.now() - opened > BACKOFF_MAX_MS) this.reportBackoff.reset();
        if (err) this.opts.logger.debug({ router: this.url, code: err.code, details: err.details }, 'router report stream ended; reopening');
        this.reportTimer = setTimeout(() => this.openReport(), this.reportBackoff.delay());
        this.reportTimer.unref();
      },
    );
    call.on('drain', () => {
      if (this.reportCall !== call) return;
      this.reportWritable = true;
      this.flush();
    });
    this.reportCall = call;
    this.reportWritable = true;
    this.flush();
  }

  /** Writes what waited, a batch per message, until the stream pushes back ('drain' resumes it). */
  private flush(): void {
    const call = this.reportCall;
    if (!call) return;
    while (this.reportWritable && this.pending.length > 0) {
      this.reportWritable = this.batches ? call.write({ outcomes: this.pending.splice(0, OUTCOME_BATCH_MAX) }) : call.write(this.pending.shift()!);
    }
    if (this.pending.length === 0 && this.dropped > 0) {
      this.opts.logger.warn({ router: this.url, dropped: this.dropped }, 'router outcome buffer drained; some outcomes were dropped');
      this.dropped = 0;
    }
  }
}

/** A decision and what lets it be reused (undefined: it may not be). */
type Answer = [RouteDecision | undefined, DecisionBasis | undefined];

function answer(res: DecideResponseMsg): Answer {
  return [fromDecideResponse(res), fromDecisionBasis(res)];
}

/** Streams wait for the channel to connect instead of failing at once while the router is away. */
function waitForReady(): Metadata {
  return new Metadata({ waitForReady: true });
}
