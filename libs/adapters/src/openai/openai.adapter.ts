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
import { openAIErrorDetail, toOpenAIChatBody, toOpenAIEmbeddingsBody } from './openai.mapper';

/** Any OpenAI-compatible server: OpenAI, vLLM, llama.cpp server, LM Studio, Groq, ... */
export class OpenAIAdapter implements BackendAdapter {
  private readonly http: UpstreamClient;
  private readonly headers: Record<string, string>;

  constructor(readonly backend: BackendConfig) {
    this.http = new UpstreamClient(backend);
    this.headers = { ...backend.headers, accept: 'application/json' };
    if (backend.apiKey) this.headers.authorization = `Bearer ${backend.apiKey}`;
  }

  async chat(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<ChatCompletion> {
    const res = await this.post('/chat/completions', toOpenAIChatBody(req, model, false), ctx);
    return this.http.readJson<ChatCompletion>(res, ctx.signal);
  }

  async chatStream(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<AsyncIterable<ChatCompletionChunk>> {
    const res = await this.post('/chat/completions', toOpenAIChatBody(req, model, true), ctx);
    return this.chunks(res, ctx.signal);
  }

  async embeddings(req: EmbeddingsRequest, model: string, ctx: AdapterContext): Promise<EmbeddingsResponse> {
    const res = await this.post('/embeddings', toOpenAIEmbeddingsBody(req, model), ctx);
    return this.http.readJson<EmbeddingsResponse>(res, ctx.signal);
  }

  async probe(signal: AbortSignal): Promise<void> {
    const res = await this.http.request({ method: 'GET', path: '/models', headers: this.headers, signal });
    if (res.status >= 500) throw await this.http.httpError(res, openAIErrorDetail);
    await res.body.dump();
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private async post(path: string, body: string, ctx: AdapterContext): Promise<UpstreamResponse> {
    const res = await this.http.request({ method: 'POST', path, body, headers: { ...this.headers, 'x-request-id': ctx.requestId }, signal: ctx.signal });
    if (res.status >= 300) throw await this.http.httpError(res, openAIErrorDetail);
    return res;
  }

  private async *chunks(res: UpstreamResponse, signal: AbortSignal): AsyncGenerator<ChatCompletionChunk> {
    for await (const event of readSse(this.http.chunks(res, signal))) {
      if (event.data === '[DONE]') return;
      let chunk: ChatCompletionChunk & { error?: unknown };
      try {
        chunk = JSON.parse(event.data) as ChatCompletionChunk & { error?: unknown };
      } catch {
        throw new UpstreamError({
          backend: this.backend.name,
          failure: 'protocol',
          message: `Backend ${this.backend.name} sent a stream event that is not JSON.`,
        });
      }
      if (chunk.error !== undefined) {
        const detail = openAIErrorDetail(chunk);
        throw new UpstreamError({
          backend: this.backend.name,
          failure: 'server_error',
          message: `Backend ${this.backend.name} failed mid-stream: ${detail.message ?? 'unknown error'}`,
        });
      }
      yield chunk;
    }
  }
}

export const openAIAdapterFactory: AdapterFactory = {
  protocol: 'openai',
  create: (backend) => new OpenAIAdapter(backend),
};
