import { Inject, Injectable } from '@nestjs/common';
import { errorCode, SwitchyardError, UpstreamError, type ChatCompletion, type ChatCompletionChunk, type ChatCompletionRequest } from '@switchyard/contracts';
import { rawJson, type AdapterContext, type ChatRelay, type RelayOptions } from '@switchyard/adapters';
import type { RequestFeatures, RouteCandidate, RouteDecision, ScanResult, StreamRestorer } from '@switchyard/policy';
import { GatewayMetrics, type Logger } from '@switchyard/telemetry';
import type { Answer, AnswerStream, StreamSink } from '../dialect/responder';
import { meterOutput, type OutputMeter } from '../limits/prompt-tokens';
import { ChainExecutor, type Placed } from '../routing/chain-executor.service';
import { PlacementService } from '../routing/placement.service';
import { routedHeaders } from '../routing/routed-response';
import { roundMs, type RequestContext } from '../routing/request-context';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { CacheService, type CacheLookup } from '../cache/cache.service';
import { CompletionAssembler, replayChunks, type CachedAnswer } from '../cache/cached-answer';

/** What a door adds to every backend call of a request (the client's `anthropic-beta`). */
export type CallOptions = Pick<AdapterContext, 'anthropicBeta'>;

/**
 * Chat completions in the canonical shape, whatever dialect the client speaks: runs the chain and
 * returns the answer, or a stream that has yielded its first chunk. Responders write them.
 */
@Injectable()
export class ChatService {
  private readonly log: Logger;

  constructor(
    private readonly chain: ChainExecutor,
    private readonly placement: PlacementService,
    private readonly metrics: GatewayMetrics,
    private readonly cache: CacheService,
    @Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime,
  ) {
    this.log = runtime.logger.child({ component: 'chat' });
  }

  /** A cached answer for the request's decision, when its cache plan finds one. */
  private async cached(
    cache: CacheLookup | undefined,
    decision: RouteDecision,
    features: RequestFeatures,
    ctx: RequestContext,
  ): Promise<CachedAnswer | undefined> {
    if (cache === undefined) return undefined;
    const found = await this.cache.find(cache, decision, features, ctx);
    if (found !== undefined && ctx.outcome !== undefined) ctx.outcome.route = decision.route;
    return found;
  }

  /** Where a cached answer came from, and that it came from the cache. */
  private hitHeaders(found: CachedAnswer, cache: CacheLookup, decision: RouteDecision, ctx: RequestContext): Record<string, string> {
    const candidate: RouteCandidate = { backend: found.backend, model: found.model, tier: found.tier as RouteCandidate['tier'] };
    return { ...routedHeaders({ candidate, decision }, ctx, this.metrics), 'x-switchyard-cache': cache.header() };
  }

  async complete(
    request: ChatCompletionRequest,
    features: RequestFeatures,
    scan: ScanResult | undefined,
    ctx: RequestContext,
    options?: CallOptions,
    cache?: CacheLookup,
  ): Promise<Answer<ChatCompletion>> {
    const decision = await this.chain.route(features, ctx);
    const found = await this.cached(cache, decision, features, ctx);
    if (found !== undefined) {
      if (ctx.outcome?.capture !== undefined) ctx.outcome.capture.response = JSON.parse(found.body);
      return { body: JSON.parse(found.body) as ChatCompletion, raw: found.body, headers: this.hitHeaders(found, cache!, decision, ctx) };
    }
    const placed = await this.chain.run(
      features,
      ctx,
      async (adapter, candidate) => {
        const { request: sent, redaction, ctx: call } = this.placement.privacy.outbound(request, scan, candidate, ctx, true);
        const completion = await adapter.chat(sent, candidate.model, options ? { ...call, ...options } : call);
        // Unchanged answers leave as the backend's own bytes; restored ones are serialised anew.
        return redaction ? { completion: redaction.restoreCompletion(completion), raw: undefined } : { completion, raw: rawJson(completion) };
      },
      decision,
    );
    const { completion } = placed.result;
    let raw = placed.result.raw;
    placed.settle({ success: true, outputTokens: completion.usage?.completion_tokens });
    if (ctx.outcome !== undefined) {
      ctx.outcome.inputTokens = completion.usage?.prompt_tokens;
      ctx.outcome.outputTokens = completion.usage?.completion_tokens;
      if (completion.usage === undefined) meterAnswer(meterOutput(ctx.outcome)!, completion);
      if (ctx.outcome.capture !== undefined) ctx.outcome.capture.response = completion;
    }
    const headers = routedHeaders(placed, ctx, this.metrics);
    if (cache !== undefined) {
      headers['x-switchyard-cache'] = cache.header();
      if (cache.write) {
        // The bytes kept are the bytes sent: a hit answers with them again.
        raw ??= JSON.stringify(completion);
        this.cache.keep(cache, decision, placed.candidate, completion, raw);
      }
    }
    return { body: completion, raw, headers };
  }

  /**
   * Falls back until some target yields a first chunk; only then may a responder send headers.
   * `relay` is set by a door whose client reads OpenAI's dialect and whose sink takes raw events:
   * then an OpenAI-compatible backend's stream goes to it as it came, when nothing needs to read it.
   */
  async stream(
    request: ChatCompletionRequest,
    features: RequestFeatures,
    scan: ScanResult | undefined,
    ctx: RequestContext,
    options?: CallOptions,
    cache?: CacheLookup,
    relay?: RelayRequest,
  ): Promise<AnswerStream> {
    const decision = await this.chain.route(features, ctx);
    const found = await this.cached(cache, decision, features, ctx);
    if (found !== undefined) {
      if (ctx.outcome !== undefined) ctx.outcome.ttftMs = roundMs(performance.now() - ctx.startedAt);
      return new ReplayStream(JSON.parse(found.body) as ChatCompletion, this.hitHeaders(found, cache!, decision, ctx), ctx);
    }
    // A relay passes chunks unread: not for an answer the cache keeps, nor for n > 1 (checked per choice).
    const relayOptions: RelayOptions | undefined =
      relay !== undefined && cache?.write !== true && (request.n ?? 1) === 1
        ? { includeUsage: relay.includeUsage, meter: meterOutput(ctx.outcome) }
        : undefined;
    const placed = await this.chain.run<Started>(
      features,
      ctx,
      async (adapter, candidate) => {
        const { request: sent, redaction, ctx: call } = this.placement.privacy.outbound(request, scan, candidate, ctx, true);
        const callCtx = options ? { ...call, ...options } : call;
        // Nor for redacted text, which is restored chunk by chunk.
        if (relayOptions !== undefined && redaction === undefined && adapter.chatRelay !== undefined) {
          const relayed = await adapter.chatRelay(sent, candidate.model, callCtx, relayOptions);
          await relayed.first;
          return { relay: relayed };
        }
        const iterator = (await adapter.chatStream(sent, candidate.model, callCtx))[Symbol.asyncIterator]();
        return { iterator, first: await iterator.next(), restorer: redaction?.streamRestorer() };
      },
      decision,
    );
    if (ctx.outcome !== undefined) ctx.outcome.ttftMs = roundMs(performance.now() - ctx.startedAt);
    const headers = routedHeaders(placed, ctx, this.metrics);
    if (placed.result.relay !== undefined) {
      if (cache !== undefined) headers['x-switchyard-cache'] = cache.header();
      return new RelayStream(placed as Placed<Relayed>, headers, ctx, this.log);
    }
    let keep: ((completion: ChatCompletion) => void) | undefined;
    if (cache !== undefined) {
      headers['x-switchyard-cache'] = cache.header();
      if (cache.write) keep = (completion) => this.cache.keep(cache, decision, placed.candidate, completion, JSON.stringify(completion));
    }
    return new ChatStream(placed as Placed<FirstChunk>, headers, ctx, this.log, keep);
  }
}

/** What a door whose client reads OpenAI's dialect asks of a relayed stream. */
export interface RelayRequest {
  /** The client asked for usage (`stream_options.include_usage`). */
  includeUsage: boolean;
}

interface Relayed {
  relay: ChatRelay;
}

type Started = FirstChunk | Relayed;

interface FirstChunk {
  iterator: AsyncIterator<ChatCompletionChunk>;
  first: IteratorResult<ChatCompletionChunk>;
  restorer?: StreamRestorer;
  relay?: undefined;
}

/**
 * A placed stream: relays chunks as they come to a responder's sink; a failure after the first
 * chunk ends the stream with an error in the client's dialect. Tokens go to the request's outcome
 * and the attempt is settled (or abandoned, when the fault was ours) however the stream ends.
 */
class ChatStream implements AnswerStream {
  constructor(
    private readonly placed: Placed<FirstChunk>,
    readonly headers: Record<string, string>,
    private readonly ctx: RequestContext,
    private readonly log: Logger,
    /** Takes the whole answer when the stream ended well (the cache keeps it). */
    private readonly keep?: (completion: ChatCompletion) => void,
  ) {}

  async pipe(sink: StreamSink): Promise<void> {
    const { placed, ctx } = this;
    // Sees each chunk before the sink does (a responder may strip its usage).
    const assembler = this.keep === undefined ? undefined : new CompletionAssembler();
    const { iterator, first, restorer } = placed.result;
    const outcome = ctx.outcome;
    let chunks = 0;
    let inputTokens: number | undefined;
    let outputTokens: number | undefined;
    let failed: SwitchyardError | undefined;
    let ownFault = false;
    // The text relayed, counted only when the stream ends without usage (or the client leaves first).
    const meter = meterOutput(outcome);
    let next = first;
    try {
      while (!next.done) {
        const chunk = next.value;
        if (chunk.usage) {
          inputTokens = chunk.usage.prompt_tokens;
          outputTokens = chunk.usage.completion_tokens;
        }
        if (restorer) {
          for (const restored of restorer.push(chunk)) {
            assembler?.push(restored);
            await sink.chunk(restored);
          }
        } else {
          assembler?.push(chunk);
          await sink.chunk(chunk);
        }
        meter?.push(chunk);
        chunks++;
        if (sink.closed) break;
        next = await iterator.next();
      }
      if (restorer) {
        for (const rest of restorer.flush()) {
          assembler?.push(rest);
          await sink.chunk(rest);
        }
      }
      if (!sink.closed) {
        // Only a stream that ran to its end is kept: not one its client left, nor a failed one.
        if (assembler !== undefined && next.done === true) this.keep!(assembler.completion());
        await sink.end();
      }
    } catch (err) {
      ({ failed, ownFault } = await endFailed(err, sink, ctx, this.log, placed.candidate.backend, chunks));
    } finally {
      // Stops the upstream read if we left the loop early (client gone or failure).
      if (!next.done) await iterator.return?.().catch(() => undefined);
      sink.close();
      if (outcome !== undefined) {
        outcome.inputTokens = inputTokens;
        outcome.outputTokens = outputTokens ?? meter?.tokens();
      }
      if (ownFault) placed.abandon();
      else placed.settle({ success: failed === undefined, status: failed?.status, outputTokens });
    }
  }
}

/**
 * A relayed stream: the backend's own events go to the sink's raw output, usage is read from the
 * events that carry it, and the outcome and the attempt are settled as for a ChatStream.
 */
class RelayStream implements AnswerStream {
  constructor(
    private readonly placed: Placed<Relayed>,
    readonly headers: Record<string, string>,
    private readonly ctx: RequestContext,
    private readonly log: Logger,
  ) {}

  async pipe(sink: StreamSink): Promise<void> {
    const { placed, ctx } = this;
    const relay = placed.result.relay;
    const outcome = ctx.outcome;
    let failed: SwitchyardError | undefined;
    let ownFault = false;
    try {
      await relay.pipe(sink.raw!);
      if (!sink.closed) await sink.end();
    } catch (err) {
      ({ failed, ownFault } = await endFailed(err, sink, ctx, this.log, placed.candidate.backend, relay.chunks));
    } finally {
      relay.stop();
      sink.close();
      const usage = relay.usage;
      if (outcome !== undefined) {
        outcome.inputTokens = usage?.prompt_tokens;
        outcome.outputTokens = usage?.completion_tokens ?? (outcome.meter as OutputMeter | undefined)?.tokens();
      }
      if (ownFault) placed.abandon();
      else placed.settle({ success: failed === undefined, status: failed?.status, outputTokens: usage?.completion_tokens });
    }
  }
}

/**
 * A stream that failed after its first chunk ends with an error in the client's dialect, and the
 * request's outcome becomes that failure; a client that left is no failure. Says whether the fault
 * was the gateway's own (adapters report every backend failure as a SwitchyardError).
 */
async function endFailed(
  err: unknown,
  sink: StreamSink,
  ctx: RequestContext,
  log: Logger,
  backend: string,
  chunks: number,
): Promise<{ failed?: SwitchyardError; ownFault: boolean }> {
  const ownFault = !(err instanceof SwitchyardError);
  const error =
    err instanceof SwitchyardError
      ? err
      : new SwitchyardError({ status: 500, type: 'api_error', message: 'The server had an error while processing your request.', cause: err });
  if (error instanceof UpstreamError && error.failure === 'aborted') return { ownFault };
  log.warn(
    {
      requestId: ctx.requestId,
      backend,
      chunks,
      status: error.status,
      detail: error instanceof UpstreamError ? error.detail : undefined,
      err: ownFault ? err : undefined,
    },
    `stream failed after first chunk: ${error.message}`,
  );
  await sink.fail(error);
  // The wire said 200 when the stream began; the request's outcome is the failure.
  const outcome = ctx.outcome;
  if (outcome !== undefined) {
    outcome.status = error.status;
    outcome.errorCode = errorCode(error);
  }
  return { failed: error, ownFault };
}

/** A cached answer replayed as a stream: nothing upstream to settle, and its tokens are already on the outcome. */
class ReplayStream implements AnswerStream {
  constructor(
    private readonly completion: ChatCompletion,
    readonly headers: Record<string, string>,
    private readonly ctx: RequestContext,
  ) {}

  async pipe(sink: StreamSink): Promise<void> {
    try {
      for (const chunk of replayChunks(this.completion)) {
        await sink.chunk(chunk);
        if (sink.closed) return;
      }
      if (!sink.closed) await sink.end();
    } finally {
      sink.close();
      if (this.ctx.outcome?.capture !== undefined) this.ctx.outcome.capture.response = this.completion;
    }
  }
}

/** An answer's text and tool-call arguments, for a backend that reported no usage. */
function meterAnswer(meter: OutputMeter, completion: ChatCompletion): void {
  for (const choice of completion.choices) {
    const m = choice.message;
    if (typeof m?.content === 'string') meter.pushText(m.content);
    if (Array.isArray(m?.tool_calls)) for (const tc of m.tool_calls) if (typeof tc.function?.arguments === 'string') meter.pushText(tc.function.arguments);
  }
}
