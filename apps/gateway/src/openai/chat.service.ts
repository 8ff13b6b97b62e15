import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SwitchyardError, toOpenAIError, UpstreamError, type ChatCompletionChunk, type ChatCompletionRequest } from '@switchyard/contracts';
import { rawJson } from '@switchyard/adapters';
import type { RequestFeatures, ScanResult } from '@switchyard/policy';
import { GatewayMetrics, type Logger } from '@switchyard/telemetry';
import { ChainExecutor } from '../routing/chain-executor.service';
import { PlacementService } from '../routing/placement.service';
import { routedHeaders } from '../routing/routed-response';
import { roundMs, type RequestContext } from '../routing/request-context';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { SseWriter } from './sse-writer';

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
    reply: FastifyReply,
  ): Promise<void> {
    const placed = await this.chain.run(features, ctx, async (adapter, candidate) => {
      const { request: sent, redaction, ctx: call } = this.placement.privacy.outbound(request, scan, candidate, ctx, true);
      const completion = await adapter.chat(sent, candidate.model, call);
      // Unchanged answers leave as the backend's own bytes; restored ones are serialised anew.
      return redaction ? { completion: redaction.restoreCompletion(completion), raw: undefined } : { completion, raw: rawJson(completion) };
    });
    const { completion, raw } = placed.result;
    placed.settle({ success: true, outputTokens: completion.usage?.completion_tokens });
    if (ctx.outcome !== undefined) {
      ctx.outcome.inputTokens = completion.usage?.prompt_tokens;
      ctx.outcome.outputTokens = completion.usage?.completion_tokens;
    }
    reply.headers(routedHeaders(placed, ctx, this.metrics));
    if (raw === undefined) reply.send(completion);
    else reply.type('application/json; charset=utf-8').send(raw);
  }

  /**
   * Falls back until some target yields a first chunk; only then are headers sent. After that,
   * chunks are relayed as they come and a failure ends the stream with an error event.
   */
  async stream(
    request: ChatCompletionRequest,
    features: RequestFeatures,
    scan: ScanResult | undefined,
    ctx: RequestContext,
    reply: FastifyReply,
  ): Promise<void> {
    const placed = await this.chain.run(features, ctx, async (adapter, candidate) => {
      const { request: sent, redaction, ctx: call } = this.placement.privacy.outbound(request, scan, candidate, ctx, true);
      const iterator = (await adapter.chatStream(sent, candidate.model, call))[Symbol.asyncIterator]();
      return { iterator, first: await iterator.next(), restorer: redaction?.streamRestorer() };
    });
    const { iterator, first, restorer } = placed.result;
    const includeUsage = request.stream_options?.include_usage === true;
    const outcome = ctx.outcome;
    if (outcome !== undefined) outcome.ttftMs = roundMs(performance.now() - ctx.startedAt);

    reply.hijack();
    const sse = new SseWriter(reply.raw);
    sse.open({ ...(reply.getHeaders() as Record<string, string>), ...routedHeaders(placed, ctx, this.metrics) });
    let chunks = 0;
    let inputTokens: number | undefined;
    let outputTokens: number | undefined;
    let failed: SwitchyardError | undefined;
    let ownFault = false;
    const send = async (chunk: ChatCompletionChunk): Promise<void> => {
      if (relay(chunk, includeUsage)) {
        await sse.data(JSON.stringify(chunk));
        chunks++;
      }
    };
    let next = first;
    try {
      while (!next.done) {
        const chunk = next.value;
        if (chunk.usage) {
          inputTokens = chunk.usage.prompt_tokens;
          outputTokens = chunk.usage.completion_tokens;
        }
        if (restorer) for (const restored of restorer.push(chunk)) await send(restored);
        else await send(chunk);
        if (sse.closed) break;
        next = await iterator.next();
      }
      if (restorer) for (const rest of restorer.flush()) await send(rest);
      if (!sse.closed) await sse.data('[DONE]');
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
        await sse.data(JSON.stringify(toOpenAIError(error)));
        await sse.data('[DONE]');
        // The wire said 200 when the stream began; the request's outcome is the failure.
        if (outcome !== undefined) {
          outcome.status = error.status;
          outcome.errorCode = error.code ?? error.type;
        }
      }
    } finally {
      // Stops the upstream read if we left the loop early (client gone or failure).
      if (!next.done) await iterator.return?.().catch(() => undefined);
      sse.end();
      if (outcome !== undefined) {
        outcome.inputTokens = inputTokens;
        outcome.outputTokens = outputTokens;
      }
      if (ownFault) placed.abandon();
      else placed.settle({ success: failed === undefined, status: failed?.status, outputTokens });
    }
  }
}

/**
 * Adapters always report usage; the client sees it only when it asked
 * (`stream_options.include_usage`), as OpenAI does.
 */
function relay(chunk: ChatCompletionChunk, includeUsage: boolean): boolean {
  if (includeUsage) return true;
  if (chunk.choices.length === 0) return false;
  if (chunk.usage !== undefined) delete chunk.usage;
  return true;
}
