import { countTokens } from 'gpt-tokenizer';
import type { ChatCompletionChunk, ChatCompletionRequest, EmbeddingsRequest } from '@switchyard/contracts';
import type { OutcomeDraft } from '../observability/outcome-bus';

// Counted with a real tokenizer (o200k_base, GPT-4o's), only for principals whose tokens are
// metered: whatever model serves, it is a far better estimate than characters / 4.

/** Per message: its role and framing, as OpenAI's own counting guidance has it; plus the reply's priming. */
const PER_MESSAGE = 3;
const PRIMING = 3;

/** The prompt tokens of a chat request: every message's text and tool calls, and the tools offered. */
export function chatPromptTokens(body: ChatCompletionRequest): number {
  let n = PRIMING;
  for (const m of body.messages) {
    n += PER_MESSAGE;
    const c = m.content;
    if (typeof c === 'string') n += countTokens(c);
    else if (Array.isArray(c)) for (const part of c) if (part.type === 'text' && typeof part.text === 'string') n += countTokens(part.text);
    if (Array.isArray(m.tool_calls)) {
      for (const tc of m.tool_calls) {
        const f = (tc as { function?: { name?: unknown; arguments?: unknown } }).function;
        if (typeof f?.name === 'string') n += countTokens(f.name);
        if (typeof f?.arguments === 'string') n += countTokens(f.arguments);
      }
    }
  }
  if (body.tools !== undefined && body.tools.length > 0) n += countTokens(JSON.stringify(body.tools));
  return n;
}

/** The input tokens of an embeddings request: texts counted, token ids as they are. */
export function embeddingsPromptTokens(body: EmbeddingsRequest): number {
  const input: unknown = body.input;
  if (typeof input === 'string') return countTokens(input);
  if (!Array.isArray(input)) return 0;
  let n = 0;
  for (const x of input) {
    if (typeof x === 'string') n += countTokens(x);
    else if (typeof x === 'number') n += 1;
    else if (Array.isArray(x)) n += x.length;
  }
  return n;
}

/**
 * The text a metered stream relayed, chunk by chunk, counted when needed: for a client that went
 * away before the usage chunk came (the outcome is emitted as the response closes, while the
 * stream may still be winding down), it is what the client consumed.
 */
export class OutputMeter {
  private readonly parts: string[] = [];
  /** Chunks of a relayed stream as JSON text, parsed only when the text is asked for (rarely: usage usually comes). */
  private readonly json: string[] = [];

  /** A whole answer's text (an answer without usage). */
  pushText(text: string): void {
    this.parts.push(text);
  }

  push(chunk: ChatCompletionChunk): void {
    const parts = this.parts;
    for (const choice of chunk.choices) {
      const d = choice.delta;
      if (typeof d?.content === 'string') parts.push(d.content);
      if (Array.isArray(d?.tool_calls)) for (const tc of d.tool_calls) if (typeof tc.function?.arguments === 'string') parts.push(tc.function.arguments);
    }
  }

  /** A chunk as the backend sent it (JSON text). */
  pushJson(json: string): void {
    this.json.push(json);
  }

  text(): string {
    if (this.json.length > 0) {
      const json = this.json.splice(0);
      for (const text of json) {
        try {
          const chunk = JSON.parse(text) as ChatCompletionChunk;
          if (Array.isArray(chunk?.choices)) this.push(chunk);
        } catch {
          // Not a chunk: it carries no text.
        }
      }
    }
    return this.parts.join('');
  }

  tokens(): number {
    const text = this.text();
    return text.length === 0 ? 0 : countTokens(text);
  }
}

/** The request's meter, made on first ask: streams always keep one (it is read only when their backend reports no usage). */
export function meterOutput(draft: OutcomeDraft | undefined): OutputMeter | undefined {
  if (draft === undefined) return undefined;
  if (draft.meter instanceof OutputMeter) return draft.meter;
  const meter = new OutputMeter();
  draft.meter = meter;
  return meter;
}
