import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SwitchyardError, toOpenAIError, UpstreamError, type ChatCompletionChunk, type ChatCompletionRequest } from '@switchyard/contracts';
import type { RouteCandidate, RouteDecision } from '@switchyard/policy';
import type { Logger } from '@switchyard/telemetry';
import { ChainExecutor } from '../routing/chain-executor.service';
import { serverTiming, type RequestContext } from '../routing/request-context';
import { GATEWAY_RUNTIME, type GatewayRuntime } from '../runtime/gateway-runtime';
import { SseWriter } from './sse-writer';

export function routeHeaders(candidate: RouteCandidate, decision: RouteDecision, ctx: RequestContext): Record<string, string> {
  return {
    'x-switchyard-backend': candidate.backend,
    'x-switchyard-tier': candidate.tier,
    'x-switchyard-route': decision.route,
    'server-timing': serverTiming(ctx),
  };
}

@Injectable()
export class ChatService {
  private readonly log: Logger;

  constructor(
    private readonly chain: ChainExecutor,
    @Inject(GATEWAY_RUNTIME) runtime: GatewayRuntime,
  ) {
    this.log = runtime.logger.child({ component: 'chat' });
  }

  async complete(request: ChatCompletionRequest, ctx: RequestContext, reply: FastifyReply): Promise<void> {
    const placed = await this.chain.run(request.model, ctx, (adapter, model) => adapter.chat(request, model, { signal: ctx.signal, requestId: ctx.requestId }));
    reply.headers(routeHeaders(placed.candidate, placed.decision, ctx)).send(placed.result);
  }

  /**
   * Falls back until some target yields a first chunk; only then are headers sent. After that,
   * chunks are relayed as they come and a failure ends the stream with an error event.
   */
  async stream(request: ChatCompletionRequest, ctx: RequestContext, reply: FastifyReply): Promise<void> {
    const adapterCtx = { signal: ctx.signal, requestId: ctx.requestId };
    const placed = await this.chain.run(request.model, ctx, async (adapter, model) => {
      const iterator = (await adapter.chatStream(request, model, adapterCtx))[Symbol.asyncIterator]();
      return { iterator, first: await iterator.next() };
    });
    const { iterator, first } = placed.result;
    const includeUsage = request.stream_options?.include_usage === true;

    reply.hijack();
    const sse = new SseWriter(reply.raw);
    sse.open({ ...(reply.getHeaders() as Record<string, string>), ...routeHeaders(placed.candidate, placed.decision, ctx) });
    let chunks = 0;
    try {
      let next = first;
      while (!next.done) {
        const chunk = next.value;
        if (relay(chunk, includeUsage)) {
          await sse.data(JSON.stringify(chunk));
          chunks++;
        }
        if (sse.closed) break;
        next = await iterator.next();
      }
      if (!sse.closed) await sse.data('[DONE]');
    } catch (err) {
      const error =
        err instanceof SwitchyardError
          ? err
          : new UpstreamError({ backend: placed.candidate.backend, failure: 'protocol', message: 'The backend stream failed.', cause: err });
      if (!(error instanceof UpstreamError && error.failure === 'aborted')) {
        this.log.warn(
          { requestId: ctx.requestId, backend: placed.candidate.backend, chunks, status: error.status },
          `stream failed after first chunk: ${error.message}`,
        );
        await sse.data(JSON.stringify(toOpenAIError(error)));
        await sse.data('[DONE]');
      }
    } finally {
      // Stops the upstream read if we left the loop early (client gone).
      await iterator.return?.().catch(() => undefined);
      sse.end();
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
