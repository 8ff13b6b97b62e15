import type { FastifyReply } from 'fastify';
import { AnthropicStreamEncoder, originalAnthropicMessage, rawJson, toAnthropicError, toAnthropicMessage } from '@switchyard/adapters';
import type { AnthropicStreamEvent, ChatCompletion, SwitchyardError } from '@switchyard/contracts';
import type { Answer, AnswerStream, ErrorResponse, Responder, StreamOptions } from '../dialect/responder';
import { SseWriter } from '../dialect/sse-writer';

/**
 * Anthropic's dialect: a `message` object, a stream of named events (message_start … message_stop,
 * a ping after the start, an `error` event when it fails midway), `{"type":"error","error":{…}}`
 * errors. The canonical answer is mapped by the adapters' Anthropic pair, never here.
 */
export class AnthropicResponder implements Responder {
  /** Writes the body as it is: `message` maps a canonical completion first. */
  answer<T>(reply: FastifyReply, answer: Answer<T>): void {
    reply.headers(answer.headers).send(answer.body);
  }

  /** A canonical completion as Anthropic's message: an Anthropic backend's own, as it came, when nothing changed it. */
  message(reply: FastifyReply, answer: Answer<ChatCompletion>): void {
    const original = originalAnthropicMessage(answer.body);
    const raw = original && rawJson(original);
    if (raw !== undefined) reply.headers(answer.headers).type('application/json; charset=utf-8').send(raw);
    else this.answer(reply, { body: original ?? toAnthropicMessage(answer.body), headers: answer.headers });
  }

  /** `model` names the message if the stream ends before its first chunk. */
  async stream(reply: FastifyReply, stream: AnswerStream, options: StreamOptions & { model?: string } = {}): Promise<void> {
    reply.hijack();
    const sse = new SseWriter(reply.raw);
    sse.open({ ...(reply.getHeaders() as Record<string, string>), ...stream.headers });
    const encoder = new AnthropicStreamEncoder(options.model ?? '');
    let pinged = false;
    const send = async (events: AnthropicStreamEvent[]): Promise<void> => {
      for (const e of events) {
        await sse.event(e.type, JSON.stringify(e));
        // As Anthropic's API does: a ping early in the stream, which clients skip.
        if (e.type === 'message_start' && !pinged) {
          pinged = true;
          await sse.event('ping', '{"type":"ping"}');
        }
      }
    };
    await stream.pipe({
      get closed() {
        return sse.closed;
      },
      chunk: (chunk) => send(encoder.push(chunk)),
      fail: (error) => send(encoder.fail(error)),
      end: () => send(encoder.end()),
      close: () => sse.end(),
    });
  }

  error(err: SwitchyardError): ErrorResponse {
    const headers: Record<string, string> = {};
    if (err.retryAfter) headers['retry-after'] = err.retryAfter;
    return { status: err.status, body: toAnthropicError(err), headers };
  }
}
