import type { FastifyReply } from 'fastify';
import { AnthropicStreamDecoder, AnthropicStreamEncoder, originalAnthropicMessage, rawJson, toAnthropicError, toAnthropicMessage } from '@switchyard/adapters';
import type { AnthropicStreamEvent, ChatCompletion, SwitchyardError } from '@switchyard/contracts';
import type { Answer, AnswerStream, ErrorResponse, Responder, StreamOptions } from '../dialect/responder';
import { SseWriter } from '../dialect/sse-writer';

/** What an answer needs to know of the request it answers. */
export interface MessageOptions {
  /** The client's `stop_sequences`: a backend that names the one it stopped at gets `stop_sequence`. */
  stopSequences?: readonly string[];
}

const PING = '{"type":"ping"}';

/**
 * Anthropic's dialect: a `message` object, a stream of named events (message_start … message_stop,
 * a ping after the start, an `error` event when it fails midway), `{"type":"error","error":{…}}`
 * errors. The canonical answer is mapped by the adapters' Anthropic pair, never here.
 *
 * An Anthropic backend's answer goes out as it came when nothing changed it on the way (no
 * redaction to restore): its message, or its stream event by event. Either names the backend's
 * own model id (not the public name asked for), as translated answers do: the model that answered.
 */
export class AnthropicResponder implements Responder {
  constructor(
    /** A stream silent this long gets a ping, so proxies and clients with idle timeouts keep it open. */
    private readonly pingEveryMs = 15_000,
  ) {}

  /** Writes the body as it is: `message` maps a canonical completion first. */
  answer<T>(reply: FastifyReply, answer: Answer<T>): void {
    reply.headers(answer.headers).send(answer.body);
  }

  /** A canonical completion as Anthropic's message: an Anthropic backend's own, as it came, when nothing changed it. */
  message(reply: FastifyReply, answer: Answer<ChatCompletion>, options: MessageOptions = {}): void {
    const original = originalAnthropicMessage(answer.body);
    const raw = original && rawJson(original);
    if (raw !== undefined) reply.headers(answer.headers).type('application/json; charset=utf-8').send(raw);
    else this.answer(reply, { body: original ?? toAnthropicMessage(answer.body, options.stopSequences), headers: answer.headers });
  }

  /** `model` names the message if the stream ends before its first chunk. */
  async stream(reply: FastifyReply, stream: AnswerStream, options: StreamOptions & MessageOptions & { model?: string } = {}): Promise<void> {
    reply.hijack();
    const sse = new SseWriter(reply.raw);
    sse.open({ ...(reply.getHeaders() as Record<string, string>), ...stream.headers });
    // Every write restarts the timer: a ping goes out only when the stream has been silent that long.
    const idle = setTimeout(() => void write('ping', PING), this.pingEveryMs);
    const write = (name: string | undefined, data: string): Promise<void> => {
      idle.refresh();
      return name === undefined ? sse.data(data) : sse.event(name, data);
    };
    const encoder = new AnthropicStreamEncoder(options.model ?? '', options.stopSequences);
    let pinged = false;
    const send = async (events: AnthropicStreamEvent[]): Promise<void> => {
      for (const e of events) {
        await write(e.type, JSON.stringify(e));
        // As Anthropic's API does: a ping early in the stream, which clients skip.
        if (e.type === 'message_start' && !pinged) {
          pinged = true;
          await write('ping', PING);
        }
      }
    };
    // Set by the first chunk: chunks carrying an Anthropic backend's events are relayed, others encoded.
    let relay: boolean | undefined;
    await stream.pipe({
      get closed() {
        return sse.closed;
      },
      chunk: (chunk) => {
        const event = AnthropicStreamDecoder.eventOf(chunk);
        relay ??= event !== undefined;
        if (!relay) return send(encoder.push(chunk));
        // A chunk without its own event says nothing the events already sent did not.
        if (event !== undefined) return write(event.event, event.data);
      },
      // Either way the stream ends with the door's error event (the encoder's needs no message_start).
      fail: (error) => send(encoder.fail(error)),
      // A relayed stream ended with the backend's own message_stop.
      end: () => (relay === true ? Promise.resolve() : send(encoder.end())),
      close: () => {
        clearTimeout(idle);
        sse.end();
      },
    });
  }

  error(err: SwitchyardError): ErrorResponse {
    const headers: Record<string, string> = {};
    if (err.retryAfter) headers['retry-after'] = err.retryAfter;
    return { status: err.status, body: toAnthropicError(err), headers };
  }
}
