import type { ChatCompletionRequest, EmbeddingsRequest } from '@switchyard/contracts';
import { rawJson, type UpstreamErrorDetail } from '../http/upstream-client';

// OpenAI-compatible backends take the client's body as it is: only the model id is swapped,
// and streams always ask for usage so every call can be accounted for. When none of that
// changes anything, the client's own bytes go (no second serialisation of a large prompt).

/**
 * The client's JSON text for `req` when it can go as is: parsed unchanged from it (a copy carries
 * none), naming `model` once (with a duplicate key, a backend could read another one), and without
 * the byte-order mark our parser skips and stricter ones refuse.
 */
function unchangedText(req: { model: string }, model: string): string | undefined {
  const raw = rawJson(req);
  if (raw === undefined || req.model !== model || raw.charCodeAt(0) === 0xfeff) return undefined;
  const first = raw.indexOf('"model"');
  return first >= 0 && raw.indexOf('"model"', first + 7) < 0 ? raw : undefined;
}

const ASK_USAGE = ',"stream_options":{"include_usage":true}}';

export function toOpenAIChatBody(req: ChatCompletionRequest, model: string, stream: boolean): string {
  if (stream === (req.stream === true) && (stream ? req.stream_options?.include_usage === true : req.stream_options === undefined)) {
    const raw = unchangedText(req, model);
    if (raw !== undefined) return raw;
  }
  if (stream && req.stream === true && req.stream_options === undefined) {
    // A stream that did not ask for usage (the usual case): the ask is added to the client's text
    // rather than the whole body serialised again, unless that text names stream_options anywhere.
    const raw = unchangedText(req, model);
    const end = raw === undefined || raw.includes('"stream_options"') ? -1 : raw.trimEnd().length - 1;
    if (end > 0 && raw!.charCodeAt(end) === 125) return raw!.slice(0, end) + ASK_USAGE;
  }
  if (!stream) {
    const { stream_options: _omit, ...rest } = req;
    return JSON.stringify({ ...rest, model, stream: false });
  }
  return JSON.stringify({ ...req, model, stream: true, stream_options: { ...req.stream_options, include_usage: true } });
}

export function toOpenAIEmbeddingsBody(req: EmbeddingsRequest, model: string): string {
  return unchangedText(req, model) ?? JSON.stringify({ ...req, model });
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
