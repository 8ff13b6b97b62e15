import {
  ANTHROPIC_VERSION,
  UpstreamError,
  type AnthropicMessage,
  type BackendConfig,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type EmbeddingsRequest,
  type EmbeddingsResponse,
} from '@switchyard/contracts';
import type { AdapterContext, AdapterFactory, BackendAdapter } from '../adapter';
import { HttpAdapter } from '../http/http-adapter.base';
import type { UpstreamResponse } from '../http/upstream-client';
import { AnthropicStreamDecoder } from './anthropic-stream.mapper';
import { anthropicErrorDetail, fromAnthropicMessage, nowSeconds, originalAnthropicBody, relaysAnthropicStream, toAnthropicRequest } from './anthropic.mapper';

/** Anthropic's Messages API (`POST /v1/messages`), spoken OpenAI-shaped on this side. */
export class AnthropicAdapter extends HttpAdapter implements BackendAdapter {
  /** `/v1`, unless the configured base URL already ends with it. */
  private readonly prefix: string;

  constructor(backend: BackendConfig) {
    // Configured headers come after the defaults so a backend may pin another API version or add anthropic-beta.
    super(backend, { 'anthropic-version': ANTHROPIC_VERSION, ...backend.headers }, (apiKey) => ({ 'x-api-key': apiKey }), anthropicErrorDetail);
    this.prefix = /\/v1\/?$/.test(new URL(backend.baseUrl).pathname) ? '' : '/v1';
  }

  async chat(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<ChatCompletion> {
    const body = originalAnthropicBody(req, model, false) ?? JSON.stringify(toAnthropicRequest(req, model, false, this.backend.name));
    const res = await this.post(`${this.prefix}/messages`, body, ctx, 'application/json', this.clientHeaders(ctx));
    const message = await this.http.readJson<AnthropicMessage>(res);
    if (message === null || typeof message !== 'object' || !Array.isArray(message.content)) {
      throw this.protocolError('returned a body that is not an Anthropic message');
    }
    try {
      return fromAnthropicMessage(message);
    } catch (err) {
      throw this.unreadable(err, 'a message');
    }
  }

  async chatStream(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<AsyncIterable<ChatCompletionChunk>> {
    const body = originalAnthropicBody(req, model, true) ?? JSON.stringify(toAnthropicRequest(req, model, true, this.backend.name));
    const res = await this.post(`${this.prefix}/messages`, body, ctx, 'text/event-stream', this.clientHeaders(ctx));
    return this.chunks(res, model, relaysAnthropicStream(req));
  }

  embeddings(_req: EmbeddingsRequest, _model: string, _ctx: AdapterContext): Promise<EmbeddingsResponse> {
    return Promise.reject(
      new UpstreamError({
        backend: this.backend.name,
        failure: 'client_error',
        upstreamStatus: 400,
        message: `Backend ${this.backend.name} (anthropic) does not serve embeddings.`,
        param: 'model',
      }),
    );
  }

  /** The client's betas join the configured ones (Anthropic reads a comma-separated list). */
  private clientHeaders(ctx: AdapterContext): Record<string, string> | undefined {
    if (!ctx.anthropicBeta) return undefined;
    const configured = this.headers['anthropic-beta'];
    return { 'anthropic-beta': configured ? `${configured},${ctx.anthropicBeta}` : ctx.anthropicBeta };
  }

  probe(signal: AbortSignal): Promise<void> {
    return this.probePath(`${this.prefix}/models`, signal);
  }

  /** `relay`: the chunks carry the events they were read from, for an Anthropic client (see AnthropicStreamDecoder). */
  private async *chunks(res: UpstreamResponse, model: string, relay: boolean): AsyncGenerator<ChatCompletionChunk> {
    const decoder = new AnthropicStreamDecoder(this.backend.name, model, nowSeconds(), relay);
    try {
      for await (const event of this.http.sse(res)) {
        // After message_stop, read to the end: a body left unread costs the pooled connection.
        if (!decoder.done) yield* decoder.push(event.data, event.event);
      }
      if (!decoder.done) decoder.end();
    } catch (err) {
      if (!decoder.done) throw this.unreadable(err, 'a stream event');
    }
  }
}

export const anthropicAdapterFactory: AdapterFactory = {
  protocol: 'anthropic',
  create: (backend) => new AnthropicAdapter(backend),
};
