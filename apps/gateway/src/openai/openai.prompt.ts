import type { ChatCompletionRequest, EmbeddingsRequest, PromptView } from '@switchyard/contracts';

/**
 * The routing view of an OpenAI request. OpenAI's shape is also Switchyard's canonical one, so
 * this is the whole inbound mapping for the dialect: the body itself goes on as it is.
 */
export function chatPromptView(body: ChatCompletionRequest): PromptView {
  let chars = 0;
  let images = false;
  for (const m of body.messages) {
    const c = m.content;
    if (typeof c === 'string') chars += c.length;
    else if (Array.isArray(c)) {
      for (const part of c) {
        if (part.type === 'text' && typeof (part as { text?: unknown }).text === 'string') chars += (part as { text: string }).text.length;
        else if (part.type === 'image_url') images = true;
      }
    }
    // Validated at the edge, but the view never trusts a shape: it runs on every request.
    if (Array.isArray(m.tool_calls)) for (const tc of m.tool_calls) chars += toolCallChars(tc);
  }
  const format = body.response_format?.type;
  return {
    kind: 'chat',
    model: body.model,
    textChars: chars,
    messages: body.messages.length,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    stream: body.stream === true,
    n: typeof body.n === 'number' && body.n > 1 ? body.n : undefined,
    tools: body.tools !== undefined && body.tools.length > 0 && body.tool_choice !== 'none',
    jsonMode: format === 'json_object' || format === 'json_schema',
    logprobs: body.logprobs === true || (typeof body.top_logprobs === 'number' && body.top_logprobs > 0),
    images,
    tokenInput: false,
    user: typeof body.user === 'string' ? body.user : undefined,
    metadata: body.metadata,
  };
}

export function embeddingsPromptView(body: EmbeddingsRequest): PromptView {
  const input = body.input;
  const chars =
    typeof input === 'string' ? input.length : Array.isArray(input) ? input.reduce<number>((n, s) => n + (typeof s === 'string' ? s.length : 4), 0) : 0;
  return {
    kind: 'embeddings',
    model: body.model,
    textChars: chars,
    messages: 0,
    stream: false,
    tools: false,
    jsonMode: false,
    logprobs: false,
    images: false,
    // Token ids: a number, or arrays of numbers (validation never lets them mix with text).
    tokenInput: Array.isArray(input) && input.some((x) => typeof x !== 'string'),
    user: typeof body.user === 'string' ? body.user : undefined,
  };
}

function toolCallChars(tc: unknown): number {
  const f = tc !== null && typeof tc === 'object' ? (tc as { function?: unknown }).function : undefined;
  if (f === null || typeof f !== 'object') return 0;
  const { name, arguments: args } = f as { name?: unknown; arguments?: unknown };
  return (typeof name === 'string' ? name.length : 0) + (typeof args === 'string' ? args.length : 0);
}
