import type { FastifyReply } from 'fastify';
import { toOpenAIError, type ChatCompletionChunk, type SwitchyardError } from '@switchyard/contracts';
import { SseWriter } from '../dialect/sse-writer';
import type { Answer, AnswerStream, ErrorResponse, Responder, StreamOptions } from '../dialect/responder';

/** OpenAI's dialect: JSON answers, `data:` events ending in `[DONE]`, `{"error":{…}}` errors. */
export class OpenAIResponder implements Responder {
  answer<T>(reply: FastifyReply, answer: Answer<T>): void {
    reply.headers(answer.headers);
    if (answer.raw === undefined) reply.send(answer.body);
    else reply.type('application/json; charset=utf-8').send(answer.raw);
  }

  async stream(reply: FastifyReply, stream: AnswerStream, options: StreamOptions): Promise<void> {
    reply.hijack();
    const sse = new SseWriter(reply.raw);
    sse.open({ ...(reply.getHeaders() as Record<string, string>), ...stream.headers });
    const includeUsage = options.includeUsage === true;
    await stream.pipe({
      get closed() {
        return sse.closed;
      },
      raw: sse,
      chunk: (chunk) => (relay(chunk, includeUsage) ? sse.data(JSON.stringify(chunk)) : undefined),
      fail: async (error) => {
        await sse.data(JSON.stringify(toOpenAIError(error)));
        await sse.data('[DONE]');
      },
      end: () => sse.data('[DONE]'),
      close: () => sse.end(),
    });
  }

  error(err: SwitchyardError): ErrorResponse {
    const headers: Record<string, string> = {};
    if (err.retryAfter) headers['retry-after'] = err.retryAfter;
    return { status: err.status, body: toOpenAIError(err), headers };
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
