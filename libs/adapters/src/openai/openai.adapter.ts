import {
  UpstreamError,
  type BackendConfig,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type EmbeddingsRequest,
  type EmbeddingsResponse,
} from '@switchyard/contracts';
import type { AdapterContext, AdapterFactory, BackendAdapter, ChatRelay, RelayOptions } from '../adapter';
import { bearerCredential, HttpAdapter } from '../http/http-adapter.base';
import { eachSseEvent, SseFramer } from '../http/sse-framer';
import type { UpstreamStream } from '../http/upstream-stream';
import { OpenAIStreamRelay } from './openai-stream.relay';
import { openAIErrorDetail, toOpenAIChatBody, toOpenAIEmbeddingsBody } from './openai.mapper';

/** Any OpenAI-compatible server: OpenAI, vLLM, llama.cpp server, LM Studio, Groq, ... */
export class OpenAIAdapter extends HttpAdapter implements BackendAdapter {
  constructor(backend: BackendConfig) {
    super(backend, { ...backend.headers }, bearerCredential, openAIErrorDetail);
  }

  async chat(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<ChatCompletion> {
    const res = await this.post('/chat/completions', toOpenAIChatBody(req, model, false), ctx);
    const answer = await this.http.readJson<ChatCompletion>(res);
    // Only what the gateway reads is checked: cheap, and anything else passes through untouched.
    if (!isObject(answer) || !Array.isArray(answer.choices) || !answer.choices.every(isObject) || !optionalObject(answer.usage)) {
      throw this.protocolError('returned a body that is not a chat completion');
    }
    // A server that ignores `n` must not pass one choice off as the n asked for.
    const n = req.n ?? 1;
    if (n > 1 && answer.choices.length < n) throw this.fewerChoices(answer.choices.length, n);
    return answer;
  }

  async chatStream(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<AsyncIterable<ChatCompletionChunk>> {
    return this.chunks(await this.openStream(req, model, ctx), req.n ?? 1);
  }

  async chatRelay(req: ChatCompletionRequest, model: string, ctx: AdapterContext, options: RelayOptions): Promise<ChatRelay> {
    const res = await this.openStream(req, model, ctx);
    const max = this.backend.limits.streamEventBytes;
    return new OpenAIStreamRelay(res, options, max, () => this.http.tooLarge('a stream event', max, 'streamEventBytes'), this.parseChunk, this.cutOff);
  }

  private async openStream(req: ChatCompletionRequest, model: string, ctx: AdapterContext): Promise<UpstreamStream> {
    const res = await this.postStream('/chat/completions', toOpenAIChatBody(req, model, true), ctx, 'text/event-stream');
    const type = res.headers['content-type'];
    if (typeof type === 'string' && !type.includes('text/event-stream')) {
      res.stop();
      throw this.protocolError(`answered a stream request with ${type.split(';')[0]} instead of server-sent events`);
    }
    return res;
  }

  async embeddings(req: EmbeddingsRequest, model: string, ctx: AdapterContext): Promise<EmbeddingsResponse> {
    const res = await this.post('/embeddings', toOpenAIEmbeddingsBody(req, model), ctx);
    const answer = await this.http.readJson<EmbeddingsResponse>(res);
    if (!isObject(answer) || !Array.isArray(answer.data) || !optionalObject(answer.usage))
      throw this.protocolError('returned a body that is not an embeddings list');
    return answer;
  }

  probe(signal: AbortSignal): Promise<void> {
    return this.probePath('/models', signal);
  }

  private async *chunks(res: UpstreamStream, n: number): AsyncGenerator<ChatCompletionChunk> {
    const max = this.backend.limits.streamEventBytes;
    const framer = new SseFramer(max, () => this.http.tooLarge('a stream event', max, 'streamEventBytes'));
    const events: string[] = [];
    const take = (data: string | undefined): boolean | void => {
      if (data === '[DONE]') {
        done = true;
        return false;
      }
      if (data !== undefined) events.push(data);
    };
    let done = false;
    // Choice indexes seen, when n > 1 asked for more than one: a stream of fewer is not the full answer.
    const seen = n > 1 ? new Set<number>() : undefined;
    try {
      let read: Buffer | null;
      while ((read = await res.read()) !== null) {
        // After [DONE], read to the end: a body left unread costs the pooled connection.
        if (done) continue;
        const whole = framer.push(read);
        if (whole === undefined) continue;
        eachSseEvent(whole.toString('utf8'), take);
        for (let i = 0; i < events.length; i++) {
          const chunk = this.parseChunk(events[i]);
          if (seen && Array.isArray(chunk.choices)) for (const c of chunk.choices) seen.add(c.index);
          yield chunk;
        }
        events.length = 0;
      }
    } catch (err) {
      if (!done) throw err;
    } finally {
      // Stops the upstream read when the consumer left early.
      res.stop();
    }
    // A stream that stops short of [DONE] was cut off, whatever it sent (nothing, HTML, half an event).
    if (!done) throw this.cutOff();
    if (seen && seen.size < n) throw this.fewerChoices(seen.size, n);
  }

  private readonly cutOff = (): UpstreamError =>
    new UpstreamError({ backend: this.backend.name, failure: 'network', message: `Backend ${this.backend.name} ended the stream before [DONE].` });

  private fewerChoices(got: number, n: number): UpstreamError {
    return this.protocolError(`answered ${got} of the ${n} choices asked (n=${n})`);
  }

  private readonly parseChunk = (data: string): ChatCompletionChunk => {
    let chunk: ChatCompletionChunk & { error?: unknown };
    try {
      chunk = JSON.parse(data) as ChatCompletionChunk & { error?: unknown };
    } catch {
      throw this.protocolError('sent a stream event that is not JSON');
    }
    if (!isObject(chunk)) throw this.protocolError('sent a stream event that is not a chunk');
    if (chunk.error !== undefined) {
      const detail = openAIErrorDetail(chunk);
      throw new UpstreamError({
        backend: this.backend.name,
        failure: 'server_error',
        message: `Backend ${this.backend.name} failed mid-stream.`,
        detail: detail.message,
      });
    }
    if (!Array.isArray(chunk.choices)) throw this.protocolError('sent a stream chunk without choices');
    return chunk;
  };
}

function isObject(v: unknown): v is Record<string, unknown> & object {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function optionalObject(v: unknown): boolean {
  return v === undefined || v === null || isObject(v);
}

export const openAIAdapterFactory: AdapterFactory = {
  protocol: 'openai',
  create: (backend) => new OpenAIAdapter(backend),
};
