import {
  UpstreamError,
  type BackendConfig,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type EmbeddingsRequest,
  type EmbeddingsResponse,
} from '@switchyard/contracts';
import type { AdapterContext, AdapterFactory, BackendAdapter } from '../adapter';
import { readSse } from '../http/stream-readers';
import { UpstreamClient, type UpstreamResponse } from '../http/upstream-client';
import { anthropicErrorDetail, AnthropicStreamTranslator, fromAnthropicMessage, toAnthropicRequest } from './anthropic.mapper';
import { ANTHROPIC_VERSION, type AnthropicMessage } from './anthropic.types';

/** Anthropic's Messages API (`POST /v1/messages`), spoken OpenAI-shaped on this side. */
export class AnthropicAdapter implements BackendAdapter {
  private readonly http: UpstreamClient;
  private readonly headers: Record<string, string>;
  /** `/v1`, unless the configured base URL already ends with it. */
  private readonly prefix: string;

  constructor(readonly backend: BackendConfig) {
    this.http = new UpstreamClient(backend);
    // Configured headers come after the defaults so a backend may pin another API version or add anthropic-beta.
    this.headers = { accept: 'application/json', 'anthropic-version': ANTHROPIC_VERSION, ...backend.headers };
    if (backend.apiKey) this.headers['x-api-key'] = backend.apiKey;
    this.prefix = /\/v1\/?$/.test(new URL(backend.baseUrl).pathname) ? '' : '/v1';
  }

  async chat(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<ChatCompletion> {
    const body = toAnthropicRequest(req, model, false, this.backend.name);
    const res = await this.post('/messages', JSON.stringify(body), ctx);
    const message = await this.http.readJson<AnthropicMessage>(res, ctx.signal);
    if (message === null || typeof message !== 'object' || !Array.isArray(message.content)) {
      throw new UpstreamError({
        backend: this.backend.name,
        failure: 'protocol',
        message: `Backend ${this.backend.name} returned a body that is not an Anthropic message.`,
      });
    }
    return fromAnthropicMessage(message);
  }

  async chatStream(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<AsyncIterable<ChatCompletionChunk>> {
    const body = toAnthropicRequest(req, model, true, this.backend.name);
    const res = await this.post('/messages', JSON.stringify(body), ctx);
    return this.chunks(res, model, ctx.signal);
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

  /** Any answer below 500 (401 included) means the API is there. */
  async probe(signal: AbortSignal): Promise<void> {
    const res = await this.http.request({ method: 'GET', path: `${this.prefix}/models`, headers: this.headers, signal });
    if (res.status >= 500) throw await this.http.httpError(res, anthropicErrorDetail);
    await res.body.dump();
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private async post(path: string, body: string, ctx: AdapterContext): Promise<UpstreamResponse> {
    const res = await this.http.request({
      method: 'POST',
      path: this.prefix + path,
      body,
      headers: { ...this.headers, 'x-request-id': ctx.requestId },
      signal: ctx.signal,
    });
    if (res.status >= 300) throw await this.http.httpError(res, anthropicErrorDetail);
    return res;
  }

  private async *chunks(res: UpstreamResponse, model: string, signal: AbortSignal): AsyncGenerator<ChatCompletionChunk> {
    const translator = new AnthropicStreamTranslator(this.backend.name, model);
    for await (const event of readSse(this.http.chunks(res, signal))) {
      yield* translator.push(event.data, event.event);
      if (translator.done) return;
    }
    translator.end();
  }
}

export const anthropicAdapterFactory: AdapterFactory = {
  protocol: 'anthropic',
  create: (backend) => new AnthropicAdapter(backend),
};
