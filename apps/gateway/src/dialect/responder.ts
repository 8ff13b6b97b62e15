import type { FastifyReply } from 'fastify';
import type { ChatCompletionChunk, SwitchyardError } from '@switchyard/contracts';
import type { RelayOutput } from '@switchyard/adapters';

/** A whole answer in the canonical shape, with the headers that say where it ran. */
export interface Answer<T> {
  body: T;
  /** The backend's own bytes when nothing changed them, so they leave without a new serialisation. */
  raw?: string;
  headers: Record<string, string>;
}

/** An error as one dialect writes it. */
export interface ErrorResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/**
 * Where a stream's canonical chunks go: a responder encodes them in its dialect. Each write
 * resolves once the socket took it, so a slow client slows the upstream read.
 */
export interface StreamSink {
  /** The client is gone or the stream was ended: stop reading upstream. */
  readonly closed: boolean;
  chunk(chunk: ChatCompletionChunk): Promise<void> | void;
  /** Where a backend's own events go as they came, for a sink that speaks OpenAI's dialect. */
  readonly raw?: RelayOutput;
  /** The stream failed after its first chunk: the end of the stream says so in the dialect. */
  fail(error: SwitchyardError): Promise<void>;
  /** The stream ended well. */
  end(): Promise<void>;
  /** Always last: the response ends. */
  close(): void;
}

/** A stream that has yielded its first chunk; `pipe` relays it all and settles the attempt. */
export interface AnswerStream {
  headers: Record<string, string>;
  pipe(sink: StreamSink): Promise<void>;
}

/** The request an error answers: what a dialect may echo (problem details' `instance`). */
export interface ErrorContext {
  /** The path, without the query. */
  path: string;
  requestId: string;
}

/** How a family of paths writes its errors; the exception filter asks the one of the request's path. */
export interface ErrorResponder {
  error(err: SwitchyardError, context?: ErrorContext): ErrorResponse;
}

/**
 * One per inbound dialect: writes answers, streams and errors the way that dialect's clients
 * expect. Services return canonical results; only responders touch the socket.
 */
export interface Responder extends ErrorResponder {
  answer<T>(reply: FastifyReply, answer: Answer<T>): void;
  stream(reply: FastifyReply, stream: AnswerStream, options: StreamOptions): Promise<void>;
}

/** What the client asked of its stream. */
export interface StreamOptions {
  /** OpenAI's `stream_options.include_usage`: a last chunk with usage. */
  includeUsage?: boolean;
}
