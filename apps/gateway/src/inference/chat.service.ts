import { Inject, Injectable } from '@nestjs/common';
import { errorCode, SwitchyardError, UpstreamError, type ChatCompletion, type ChatCompletionChunk, type ChatCompletionRequest } from '@switchyard/contracts';
import { rawJson, type AdapterContext } from '@switchyard/adapters';
import type { RequestFeatures, ScanResult, StreamRestorer } from '@switchyard/policy';
import { GatewayMetrics, type Logger } from '@switchyard/telemetry';
import type { Answer, AnswerStream, StreamSink } from '../dialect/responder';
import { meterOutput, type OutputMeter } from '../limits/prompt-tokens';
import { ChainExecutor, type Placed } from '../routing/chain-executor.service';
import { PlacementService } from '../routing/placement.service';
import { routedHeaders } from '../routing/routed-response';
import { roundMs, type RequestContext } from '../routing/request-context';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';

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
    @Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime,
  ) {
    this.log = runtime.logger.child({ component: 'chat' });
  }

  async complete(
    request: ChatCompletionRequest,
    features: RequestFeatures,
    scan: ScanResult | undefined,
    ctx: RequestContext,
    options?: CallOptions,
  ): Promise<Answer<ChatCompletion>> {
    const placed = await this.chain.run(features, ctx, async (adapter, candidate) => {
      const { request: sent, redaction, ctx: call } = this.placement.privacy.outbound(request, scan, candidate, ctx, true);
      const completion = await adapter.chat(sent, candidate.model, options ? { ...call, ...options } : call);
      // Unchanged answers leave as the backend's own bytes; restored ones are serialised anew.
      return redaction ? { completion: redaction.restoreCompletion(completion), raw: undefined } : { completion, raw: rawJson(completion) };
    });
    const { completion, raw } = placed.result;
    placed.settle({ success: true, outputTokens: completion.usage?.completion_tokens });
    if (ctx.outcome !== undefined) {
      ctx.outcome.inputTokens = completion.usage?.prompt_tokens;
      ctx.outcome.outputTokens = completion.usage?.completion_tokens;
      if (completion.usage === undefined) meterAnswer(meterOutput(ctx.outcome)!, completion);
      if (ctx.outcome.capture !== undefined) ctx.outcome.capture.response = completion;
    }
    return { body: completion, raw, headers: routedHeaders(placed, ctx, this.metrics) };
  }

  /** Falls back until some target yields a first chunk; only then may a responder send headers. */
  async stream(
    request: ChatCompletionRequest,
    features: RequestFeatures,
    scan: ScanResult | undefined,
    ctx: RequestContext,
    options?: CallOptions,
  ): Promise<AnswerStream> {
    const placed = await this.chain.run(features, ctx, async (adapter, candidate) => {
      const { request: sent, redaction, ctx: call } = this.placement.privacy.outbound(request, scan, candidate, ctx, true);
      const iterator = (await adapter.chatStream(sent, candidate.model, options ? { ...call, ...options } : call))[Symbol.asyncIterator]();
      return { iterator, first: await iterator.next(), restorer: redaction?.streamRestorer() };
    });
    if (ctx.outcome !== undefined) ctx.outcome.ttftMs = roundMs(performance.now() - ctx.startedAt);
    return new ChatStream(placed, routedHeaders(placed, ctx, this.metrics), ctx, this.log);
  }
}

interface FirstChunk {
  iterator: AsyncIterator<ChatCompletionChunk>;
  first: IteratorResult<ChatCompletionChunk>;
  restorer?: StreamRestorer;
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
  ) {}

  async pipe(sink: StreamSink): Promise<void> {
    const { placed, ctx } = this;
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
        if (restorer) for (const restored of restorer.push(chunk)) await sink.chunk(restored);
        else await sink.chunk(chunk);
        meter?.push(chunk);
        chunks++;
        if (sink.closed) break;
        next = await iterator.next();
      }
      if (restorer) for (const rest of restorer.flush()) await sink.chunk(rest);
      if (!sink.closed) await sink.end();
    } catch (err) {
      // Adapters report every backend failure as a SwitchyardError; anything else failed here.
      ownFault = !(err instanceof SwitchyardError);
      const error =
        err instanceof SwitchyardError
          ? err
          : new SwitchyardError({ status: 500, type: 'api_error', message: 'The server had an error while processing your request.', cause: err });
      if (!(error instanceof UpstreamError && error.failure === 'aborted')) {
        failed = error;
        this.log.warn(
          {
            requestId: ctx.requestId,
            backend: placed.candidate.backend,
            chunks,
            status: error.status,
            detail: error instanceof UpstreamError ? error.detail : undefined,
            err: ownFault ? err : undefined,
          },
          `stream failed after first chunk: ${error.message}`,
        );
        await sink.fail(error);
        // The wire said 200 when the stream began; the request's outcome is the failure.
        if (outcome !== undefined) {
          outcome.status = error.status;
          outcome.errorCode = errorCode(error);
        }
      }
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

/** An answer's text and tool-call arguments, for a backend that reported no usage. */
function meterAnswer(meter: OutputMeter, completion: ChatCompletion): void {
  for (const choice of completion.choices) {
    const m = choice.message;
    if (typeof m?.content === 'string') meter.pushText(m.content);
    if (Array.isArray(m?.tool_calls)) for (const tc of m.tool_calls) if (typeof tc.function?.arguments === 'string') meter.pushText(tc.function.arguments);
  }
}
