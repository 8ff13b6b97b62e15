import type { ChatCompletionRequest, EmbeddingsRequest } from '@switchyard/contracts';
import type { UpstreamErrorDetail } from '../http/upstream-client';

// OpenAI-compatible backends take the client's body as it is: only the model id is swapped,
// and streams always ask for usage so every call can be accounted for.

export function toOpenAIChatBody(req: ChatCompletionRequest, model: string, stream: boolean): string {
  if (!stream) {
    const { stream_options: _omit, ...rest } = req;
    return JSON.stringify({ ...rest, model, stream: false });
  }
  return JSON.stringify({ ...req, model, stream: true, stream_options: { ...req.stream_options, include_usage: true } });
}

export function toOpenAIEmbeddingsBody(req: EmbeddingsRequest, model: string): string {
  return JSON.stringify({ ...req, model });
}

/** `{"error":{...}}` from OpenAI and most servers; `{"object":"error","message"}` from vLLM. */
export function openAIErrorDetail(body: unknown): UpstreamErrorDetail {
  const b = body as { error?: { message?: string; code?: string | number | null; param?: string | null } | string; message?: string };
  if (typeof b.error === 'string') return { message: b.error };
  if (b.error && typeof b.error === 'object') {
    return { message: b.error.message, code: b.error.code == null ? null : String(b.error.code), param: b.error.param ?? null };
  }
  return { message: b.message };
}
