import type { PromptView } from '@switchyard/contracts';

/**
 * Prompt tokens, estimated at ~4 characters a token plus a few per message. A real tokenizer
 * per request would cost more than the rest of the hot path; the estimate only has to be good
 * enough for context-window checks and cost/latency ranking.
 */
export function estimatePromptTokens(prompt: PromptView): number {
  return Math.ceil(prompt.textChars / 4) + 4 * prompt.messages;
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
