import type { ChatCompletionRequest } from '@switchyard/contracts';

/**
 * Prompt tokens, estimated at ~4 characters a token plus a few per message. A real tokenizer
 * per request would cost more than the rest of the hot path; the estimate only has to be good
 * enough for context-window checks and cost/latency ranking.
 */
export function estimatePromptTokens(req: ChatCompletionRequest): number {
  let chars = 0;
  for (const m of req.messages) {
    const c = m.content;
    if (typeof c === 'string') chars += c.length;
    else if (Array.isArray(c)) {
      for (const part of c) if (part.type === 'text' && typeof (part as { text?: unknown }).text === 'string') chars += (part as { text: string }).text.length;
    }
    // Validated at the edge, but the estimate never trusts a shape: it runs on every request.
    if (Array.isArray(m.tool_calls)) for (const tc of m.tool_calls) chars += toolCallChars(tc);
  }
  return Math.ceil(chars / 4) + 4 * req.messages.length;
}

function toolCallChars(tc: unknown): number {
  const f = tc !== null && typeof tc === 'object' ? (tc as { function?: unknown }).function : undefined;
  if (f === null || typeof f !== 'object') return 0;
  const { name, arguments: args } = f as { name?: unknown; arguments?: unknown };
  return (typeof name === 'string' ? name.length : 0) + (typeof args === 'string' ? args.length : 0);
}

/** Tags from header `x-switchyard-tags` (comma-separated) and body `metadata.tags` (array or comma string). */
export function requestTags(header: string | string[] | undefined, metadata: unknown): string[] {
  const out: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const t of v.split(',')) if (t.trim()) out.push(t.trim());
    } else if (Array.isArray(v)) {
      for (const t of v) if (typeof t === 'string' && t.trim()) out.push(t.trim());
    }
  };
  add(Array.isArray(header) ? header.join(',') : header);
  if (metadata && typeof metadata === 'object') add((metadata as { tags?: unknown }).tags);
  return out;
}
