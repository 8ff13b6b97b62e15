import type {
  BackendConfig,
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingsRequest,
  EmbeddingsResponse,
  Protocol,
  Usage,
} from '@switchyard/contracts';
import type { CallSignal } from './http/call-abort';

export interface AdapterContext {
  /** Aborts on client disconnect or when a deadline passes; the reason says which. */
  signal: CallSignal;
  requestId: string;
  /** When the caller's own deadline passes (performance.now() clock); `signal` aborts then. */
  deadlineAt?: number;
  /**
   * Checks the exact body and client-carried headers about to leave (after translation) and
   * throws to stop the call. Set for cloud calls under a privacy policy.
   */
  egress?: (body: string, clientHeaders: Readonly<Record<string, string>>) => void | Promise<void>;
  /** The client's `anthropic-beta` header (Anthropic's dialect): Anthropic backends send it on, others ignore it. */
  anthropicBeta?: string;
  /** A key of the call's own (a tenant's stored one, or the client's where the backend allows it), sent instead of the backend's. */
  apiKey?: string;
  /** W3C trace context of the call's span (when tracing is on), sent as headers. */
  traceContext?: TraceContextHeaders;
}

/** `traceparent` names the trace and the span the call is made under; `tracestate` is the trace's vendor state, as the client sent it. */
export interface TraceContextHeaders {
  traceparent: string;
  tracestate?: string;
}

/**
 * One backend, spoken to in its own protocol. Requests and responses are OpenAI-shaped on this side.
 * Every failure is thrown as an UpstreamError (status, retryable) so the caller can fall back.
 */
export interface BackendAdapter {
  readonly backend: BackendConfig;
  /** `model` is the backend's own model id (the request's `model` is the client's name for it). */
  chat(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<ChatCompletion>;
  /**
   * Resolves once the upstream accepted the call; iterating yields chunks as they arrive.
   * The last chunk may be a usage-only chunk (`choices: []`) whether or not the client asked for it.
   */
  chatStream(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<AsyncIterable<ChatCompletionChunk>>;
  /**
   * Where the backend's own stream can go to an OpenAI-dialect client as it came (OpenAI-compatible
   * backends): resolves once the upstream accepted the call. Only for n = 1.
   */
  chatRelay?(req: ChatCompletionRequest, model: string, ctx: AdapterContext, options: RelayOptions): Promise<ChatRelay>;
  embeddings(req: EmbeddingsRequest, model: string, ctx: AdapterContext): Promise<EmbeddingsResponse>;
  /** Cheap reachability check (a model listing); throws UpstreamError when unreachable. */
  probe(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** What a relayed stream must do on the way. */
export interface RelayOptions {
  /** The client asked for usage (`stream_options.include_usage`); otherwise it is taken out. */
  includeUsage: boolean;
  /** Takes each chunk's JSON text as the backend sent it (an output meter, read when no usage came). */
  meter?: { pushJson(json: string): void };
}

/** Where a relay writes: the client's socket, in OpenAI's SSE dialect. */
export interface RelayOutput {
  /** Whole `data:` events; false when the client's socket is backed up (the relay then waits for `onDrain`). */
  write(events: Buffer | string): boolean;
  /** The client is gone or the response ended. */
  readonly closed: boolean;
  /** Calls `fn` once the socket drained (or closed). */
  onDrain(fn: () => void): void;
}

/**
 * A backend's stream relayed as its own bytes, one client write per upstream read: only events that
 * carry usage, an error or no choices are parsed. It ends at the backend's `[DONE]`, which it leaves
 * for the responder to write.
 */
export interface ChatRelay {
  /** Resolves once the first event came; rejects with the UpstreamError of a stream that failed before it. */
  readonly first: Promise<void>;
  /** What the backend reported, once it did. */
  readonly usage: Usage | undefined;
  /** Events relayed so far. */
  readonly chunks: number;
  /** Relays the stream to `out`: resolves at `[DONE]` (or when the client left), rejects with an UpstreamError. */
  pipe(out: RelayOutput): Promise<void>;
  /** Stops the upstream read unless it is over. */
  stop(): void;
}

export interface AdapterFactory {
  readonly protocol: Protocol;
  create(backend: BackendConfig): BackendAdapter;
}

/** `adapter` with every call carrying `apiKey` instead of the backend's own key (probes keep the backend's). */
export function withApiKey(adapter: BackendAdapter, apiKey: string): BackendAdapter {
  return {
    backend: adapter.backend,
    chat: (req, model, ctx) => adapter.chat(req, model, { ...ctx, apiKey }),
    chatStream: (req, model, ctx) => adapter.chatStream(req, model, { ...ctx, apiKey }),
    chatRelay: adapter.chatRelay && ((req, model, ctx, options) => adapter.chatRelay!(req, model, { ...ctx, apiKey }, options)),
    embeddings: (req, model, ctx) => adapter.embeddings(req, model, { ...ctx, apiKey }),
    probe: (signal) => adapter.probe(signal),
    close: () => adapter.close(),
  };
}

/** `adapter` with every call carrying `traceContext` (probes are not part of any request's trace). */
export function withTraceContext(adapter: BackendAdapter, traceContext: TraceContextHeaders): BackendAdapter {
  return {
    backend: adapter.backend,
    chat: (req, model, ctx) => adapter.chat(req, model, { ...ctx, traceContext }),
    chatStream: (req, model, ctx) => adapter.chatStream(req, model, { ...ctx, traceContext }),
    chatRelay: adapter.chatRelay && ((req, model, ctx, options) => adapter.chatRelay!(req, model, { ...ctx, traceContext }, options)),
    embeddings: (req, model, ctx) => adapter.embeddings(req, model, { ...ctx, traceContext }),
    probe: (signal) => adapter.probe(signal),
    close: () => adapter.close(),
  };
}
