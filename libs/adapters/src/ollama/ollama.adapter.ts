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
import { bearerCredential, HttpAdapter } from '../http/http-adapter.base';
import type { UpstreamResponse } from '../http/upstream-client';
import {
  fromOllamaChatResponse,
  fromOllamaEmbedResponse,
  isOllamaError,
  ollamaErrorDetail,
  OllamaStreamTranslator,
  toOllamaChatRequest,
  toOllamaEmbedRequest,
} from './ollama.mapper';
import type { OllamaChatResponse, OllamaEmbedResponse, OllamaStreamLine } from './ollama.types';

/** An Ollama server spoken to in its native API (/api/chat, /api/embed, /api/tags). */
export class OllamaAdapter extends HttpAdapter implements BackendAdapter {
  constructor(backend: BackendConfig) {
    // Plain Ollama takes no key; one set here is for an authenticating proxy in front of it.
    super(backend, { ...backend.headers }, bearerCredential, ollamaErrorDetail);
  }

  async chat(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<ChatCompletion> {
    const body = toOllamaChatRequest(req, model, false, this.backend.name);
    const res = await this.post('/api/chat', JSON.stringify(body), ctx);
    const answer = await this.http.readJson<OllamaChatResponse | { error: unknown }>(res);
    if (isOllamaError(answer)) throw this.failedAnswer(answer);
    if (typeof answer !== 'object' || answer === null || typeof answer.model !== 'string') {
      throw this.protocolError('returned a chat answer without a model');
    }
    try {
      return fromOllamaChatResponse(answer);
    } catch (err) {
      throw this.unreadable(err, 'a chat answer');
    }
  }

  async chatStream(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<AsyncIterable<ChatCompletionChunk>> {
    const body = toOllamaChatRequest(req, model, true, this.backend.name);
    const res = await this.post('/api/chat', JSON.stringify(body), ctx, 'application/x-ndjson');
    const lines = this.lines(res);
    // Ollama reports some failures (a model that fails to load) as the stream's first line: read
    // it before resolving, so such a failure can still fall back to the next target.
    let first: IteratorResult<OllamaStreamLine>;
    try {
      first = await lines.next();
    } catch (err) {
      await res.body.dump().catch(() => undefined);
      throw err;
    }
    if (!first.done && isOllamaError(first.value)) {
      await lines.return(undefined);
      throw this.failedAnswer(first.value);
    }
    return this.chunks(first, lines);
  }

  async embeddings(req: EmbeddingsRequest, model: string, ctx: AdapterContext): Promise<EmbeddingsResponse> {
    const body = toOllamaEmbedRequest(req, model, this.backend.name);
    const res = await this.post('/api/embed', JSON.stringify(body), ctx);
    const answer = await this.http.readJson<OllamaEmbedResponse | { error: unknown }>(res);
    if (isOllamaError(answer)) throw this.failedAnswer(answer);
    if (!Array.isArray(answer.embeddings)) throw this.protocolError('returned an embed answer without embeddings');
    try {
      return fromOllamaEmbedResponse(answer, model, req.encoding_format);
    } catch (err) {
      throw this.unreadable(err, 'an embed answer');
    }
  }

  probe(signal: AbortSignal): Promise<void> {
    return this.probePath('/api/tags', signal);
  }

  /** NDJSON lines; a line that is not JSON is a protocol failure, a broken body a network one. */
  private async *lines(res: UpstreamResponse): AsyncGenerator<OllamaStreamLine> {
    try {
      yield* this.http.ndjson<OllamaStreamLine>(res);
    } catch (err) {
      if (err instanceof SyntaxError) throw this.protocolError('sent a stream line that is not JSON');
      throw this.http.failure(err, res.signal);
    }
  }

  private async *chunks(first: IteratorResult<OllamaStreamLine>, lines: AsyncGenerator<OllamaStreamLine>): AsyncGenerator<ChatCompletionChunk> {
    const translator = new OllamaStreamTranslator(this.backend.name);
    try {
      if (!first.done) {
        yield* translator.push(first.value);
        // Read to the end even after the done line, so the connection goes back to the pool.
        for (let next = await lines.next(); !next.done; next = await lines.next()) yield* translator.push(next.value);
      }
      translator.end();
    } catch (err) {
      throw this.unreadable(err, 'a stream line');
    } finally {
      // Stops the body (and frees the connection) when the consumer leaves early or on failure.
      await lines.return(undefined);
    }
  }

  private failedAnswer(body: { error: unknown }): UpstreamError {
    const detail = ollamaErrorDetail(body);
    const name = this.backend.name;
    return new UpstreamError({ backend: name, failure: 'server_error', message: `Backend ${name} failed.`, detail: detail.message });
  }
}

export const ollamaAdapterFactory: AdapterFactory = {
  protocol: 'ollama',
  create: (backend) => new OllamaAdapter(backend),
};
