import { createHash } from 'node:crypto';
import type { ChatMessage } from '@switchyard/contracts';

/**
 * JSON with object keys sorted at every level, so two bodies that differ only in key order or
 * whitespace are one text. Undefined members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined || typeof v === 'function') continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

export function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * Members that never change the answer: how it is delivered (stream flags), who asked (user,
 * metadata) and what the client's provider does with it (store, service tier, its prompt cache).
 * Everything else, a member this list does not know included, is part of the key.
 */
const NOT_THE_ANSWER = new Set(['stream', 'stream_options', 'user', 'metadata', 'store', 'service_tier', 'prompt_cache_key', 'safety_identifier']);

/** The request's members that decide its answer, as one canonical text. */
export function answerDefining(body: Record<string, unknown>, without?: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(body)) if (!NOT_THE_ANSWER.has(k) && !without?.has(k)) out[k] = body[k];
  return out;
}

/** The last user turn's text and what came before it, for the near-match key. */
export interface PromptSplit {
  /** The text of the last user message (its text parts joined). */
  last: string;
  /** The conversation before it (system prompt, earlier turns), as canonical JSON. */
  before: string;
}

/**
 * Splits a canonical conversation at its last user message. Undefined when there is none, or when
 * that message is not plain text (images, files): such prompts are matched exactly or not at all.
 */
export function splitPrompt(messages: readonly ChatMessage[]): PromptSplit | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== 'user') continue;
    // Turns after the last user message (a tool result, say) make it not a plain question.
    if (i !== messages.length - 1) return undefined;
    const text = plainText(m.content);
    return text === undefined || text.trim().length === 0 ? undefined : { last: text, before: canonicalJson(messages.slice(0, i)) };
  }
  return undefined;
}

function plainText(content: ChatMessage['content']): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const part of content) {
    if (part.type !== 'text' || typeof (part as { text?: unknown }).text !== 'string') return undefined;
    texts.push((part as { text: string }).text);
  }
  return texts.join('\n');
}
