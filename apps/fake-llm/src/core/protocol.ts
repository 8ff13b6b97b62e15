/**
 * The seam between the protocol-free core and each wire protocol (openai/, ollama/, anthropic/):
 * a protocol describes its error shape, auth and messages, and hands the core its routes; its
 * handlers answer through the FakeCore they are given, never through the server's own state.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Exchange } from './exchange';
import type { Responder } from './responder';
import type { FakeProtocol, Fault } from './types';

/** An error as a protocol words it: the message and, where the protocol has them, a code. */
export interface ErrorReply {
  message: string;
  code?: string;
}

/** What a handler does with one request; `fault` is a pending 'midstream' or 'stall' the writers apply. */
export type Handler<T> = (ex: Exchange, arg: T, fault: Fault | undefined) => Promise<void> | void;

/** One endpoint. Every route passes the protocol's auth check first. */
export type Route =
  /** `json`: a body that does not parse gets the protocol's 400; otherwise the body is passed as is. */
  | { method: string; path: string; json: boolean; prefix?: undefined; handle: Handler<unknown> }
  /** Matches any path under `prefix`; the handler gets the rest of the path (e.g. a model id). */
  | { method: string; prefix: string; json?: undefined; handle: Handler<string> };

export interface WireProtocol {
  readonly name: FakeProtocol;
  /** The API's root under the origin: baseUrl is origin + basePath. */
  readonly basePath: string;
  /** Header carrying a request id on every JSON or stream reply, where the real API sends one. */
  readonly requestIdHeader: string | undefined;
  /** An error reply's body in this protocol's shape. */
  errorBody(status: number, message: string, code: string | undefined, param: string | undefined): unknown;
  /** Why a request without the configured key is refused (401), or undefined to let it through. */
  authFailure(headers: IncomingHttpHeaders, key: string): ErrorReply | undefined;
  readonly badJsonMessage: string;
  readonly missingModelMessage: string;
  unknownModel(model: string): ErrorReply;
  notFoundMessage(method: string | undefined, path: string): string;
  /** The other name a model answers to (Ollama: `name` and `name:latest`), if any. */
  modelAlias?(model: string): string;
  routes(core: FakeCore): Route[];
}

/** The options setOptions can change while running; handlers read them per request. */
export interface FakeSettings {
  models: string[];
  modelSet: Set<string>;
  latencyMs: number;
  ttftMs: number;
  interChunkMs: number;
  reply: string | undefined;
  readonly singleChoice: boolean;
}

/** What the core offers a protocol's handlers. */
export interface FakeCore {
  readonly settings: Readonly<FakeSettings>;
  readonly send: Responder;
  /** Next sequence number, for ids (`chatcmpl-<n>`); also the request id header's value. */
  nextId(): number;
  hasModel(model: string): boolean;
  /** Validates `body.model`; sends the protocol's 400/404 and returns undefined when unusable. */
  checkModel(ex: Exchange, body: Record<string, unknown>): string | undefined;
  /** The protocol's 404 for an unknown model. */
  unknownModel(ex: Exchange, model: string): Promise<void>;
}

/** `GET <prefix><id>`: one model's entry in the protocol's shape, or its 404. */
export function modelRoute(core: FakeCore, prefix: string, entry: (model: string) => unknown): Route {
  return {
    method: 'GET',
    prefix,
    handle: (ex, id, fault) => {
      const model = decodeURIComponent(id);
      if (!core.hasModel(model)) return core.unknownModel(ex, model);
      return core.send.ok(ex, entry(model), fault);
    },
  };
}
