import { Inject, Injectable } from '@nestjs/common';
import type { AttemptRecord, CacheResult, Principal, RequestOutcome } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';

/** The draft is there for what only this process needs (captured bodies); everything else is in the outcome. */
export type OutcomeListener = (outcome: RequestOutcome, draft?: OutcomeDraft) => void;
/** Completes an outcome from its draft before any listener sees it (tokens a backend did not report, cost). */
export type OutcomeAccountant = (outcome: RequestOutcome, draft: OutcomeDraft) => void;

/**
 * Where every `/v1` request's one outcome goes. Listeners run synchronously and must stay cheap
 * (a tally, a queue push); one that throws is logged and does not stop the others.
 */
@Injectable()
export class OutcomeBus {
  private readonly listeners: OutcomeListener[] = [];
  private accountant?: OutcomeAccountant;
  private readonly log: Logger;

  constructor(@Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime) {
    this.log = runtime.logger.child({ component: 'outcomes' });
  }

  /** Returns a function that unsubscribes. */
  subscribe(listener: OutcomeListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** The one accountant: every listener reads the figures it sets. */
  account(accountant: OutcomeAccountant): void {
    this.accountant = accountant;
  }

  emit(outcome: RequestOutcome, draft?: OutcomeDraft): void {
    if (draft !== undefined && this.accountant !== undefined) {
      try {
        this.accountant(outcome, draft);
      } catch (err) {
        this.log.error({ requestId: outcome.requestId, error: (err as Error).message }, 'accounting an outcome failed');
      }
    }
    for (const listener of this.listeners) {
      try {
        listener(outcome, draft);
      } catch (err) {
        this.log.error({ requestId: outcome.requestId, error: (err as Error).message }, 'an outcome listener failed');
      }
    }
  }
}

/**
 * What is known of a request's ending while it runs: each stage writes what it learns (the guard
 * its principal, the chain its attempts and route, the service its tokens, the error filter its
 * code), and the response's close turns it into the one RequestOutcome.
 */
export class OutcomeDraft {
  principal?: Principal;
  model?: string;
  route?: string;
  backend?: string;
  tier?: string;
  readonly attempts: AttemptRecord[] = [];
  /** Set when the status on the wire is not the request's outcome (a stream that failed after its first chunk). */
  status?: number;
  errorCode?: string;
  inputTokens?: number;
  outputTokens?: number;
  streamed = false;
  ttftMs?: number;
  pii: readonly string[] = [];
  /** The request span's trace id, when tracing is on. */
  traceId?: string;
  /** The client's end-user id and tags. */
  user?: string;
  tags?: readonly string[];
  /** Counts the prompt's tokens with the tokenizer; run at most once, by `promptTokens()`. */
  countPrompt?: () => number;
  /** Bodies kept for a tenant that opted in to capture: the request as sent, then the answer. */
  capture?: { request: unknown; response?: unknown };
  /** What the response cache did, when it is on for the request. */
  cache?: CacheResult;
  /** The target whose cached answer served a hit: the hit is accounted as its tokens. */
  cacheServed?: { backend: string; model: string };
  /** The text an answer relayed, counted only when its backend reports no usage. */
  meter?: { tokens(): number; text(): string };
  private promptCount?: number;
  /** Runs when the response closes, after the outcome is emitted: one `close` listener per request serves both. */
  onClose?: () => void;

  constructor(
    readonly requestId: string,
    readonly method: string,
    readonly endpoint: string,
    readonly startedAt: number,
  ) {}

  /** The prompt's tokens by the tokenizer, counted on first ask (limits, or the ledger when a backend reports none). */
  promptTokens(): number | undefined {
    if (this.promptCount === undefined && this.countPrompt !== undefined) this.promptCount = this.countPrompt();
    return this.promptCount;
  }

  /** The outcome, given the response's status and whether it finished or the client went away. */
  finish(wireStatus: number, finished: boolean): RequestOutcome {
    const aborted = !finished && this.status === undefined;
    const outcome: RequestOutcome = {
      requestId: this.requestId,
      startedAt: Math.round(performance.timeOrigin + this.startedAt),
      method: this.method,
      endpoint: this.endpoint,
      attempts: this.attempts,
      status: aborted ? 499 : (this.status ?? wireStatus),
      streamed: this.streamed,
      latencyMs: Math.round((performance.now() - this.startedAt) * 1000) / 1000,
      pii: this.pii,
    };
    if (this.principal !== undefined) outcome.principal = this.principal;
    if (this.model !== undefined) outcome.model = this.model;
    if (this.route !== undefined) outcome.route = this.route;
    if (this.backend !== undefined) outcome.backend = this.backend;
    if (this.tier !== undefined) outcome.tier = this.tier;
    const code = aborted ? 'client_closed' : this.errorCode;
    if (code !== undefined) outcome.errorCode = code;
    if (this.inputTokens !== undefined) outcome.inputTokens = this.inputTokens;
    if (this.outputTokens !== undefined) outcome.outputTokens = this.outputTokens;
    if (this.ttftMs !== undefined) outcome.ttftMs = this.ttftMs;
    if (this.traceId !== undefined) outcome.traceId = this.traceId;
    if (this.user !== undefined) outcome.user = this.user;
    if (this.tags !== undefined && this.tags.length > 0) outcome.tags = this.tags;
    if (this.cache !== undefined) outcome.cache = this.cache;
    return outcome;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every `/v1` request when it arrives; becomes its one RequestOutcome when the response closes. */
    outcome?: OutcomeDraft;
  }
}
