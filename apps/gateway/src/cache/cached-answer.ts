import type { ChatCompletion, ChatCompletionChunk, ChatCompletionChoice, FinishReason, ToolCall } from '@switchyard/contracts';

/** What a cache entry holds: the answer and where it came from (the hit is accounted as that backend's tokens). */
export interface CachedAnswer {
  /** The answer as its client got it: for a non-streaming hit, these bytes again. */
  body: string;
  backend: string;
  /** The backend's own model id. */
  model: string;
  tier: string;
  inputTokens: number;
  outputTokens: number;
  /** When it was stored (ms since the epoch). */
  storedAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NEWLINE = 0x0a;

/**
 * The entry's facts as one JSON line, then the answer's bytes as they are: the answer is not
 * escaped into a JSON string and back (JSON.stringify writes no raw newline, so the first one
 * ends the facts).
 */
export function encodeAnswer(answer: CachedAnswer): Uint8Array {
  const { body, ...facts } = answer;
  return encoder.encode(`${JSON.stringify(facts)}\n${body}`);
}

/** Undefined for bytes that are not an entry of this shape (written by another version, or damaged): a miss. */
export function decodeAnswer(bytes: Uint8Array): CachedAnswer | undefined {
  try {
    const end = bytes.indexOf(NEWLINE);
    if (end < 0) return undefined;
    const a = JSON.parse(decoder.decode(bytes.subarray(0, end))) as Partial<CachedAnswer>;
    if (typeof a.backend !== 'string' || typeof a.model !== 'string' || typeof a.tier !== 'string') return undefined;
    if (typeof a.inputTokens !== 'number' || typeof a.outputTokens !== 'number') return undefined;
    return { ...(a as Omit<CachedAnswer, 'body'>), body: decoder.decode(bytes.subarray(end + 1)) };
  } catch {
    return undefined;
  }
}

/**
 * Whether an answer may be kept: every choice ended on its own (`stop`, or complete tool calls),
 * not cut by its token cap unless `truncated` allows it; a content filter's answer is never kept.
 */
export function keepable(completion: ChatCompletion, truncated: boolean): boolean {
  if (completion.choices.length === 0) return false;
  for (const choice of completion.choices) {
    const reason = choice.finish_reason;
    if (reason === 'stop' || reason === 'tool_calls') continue;
    if (reason === 'length' && truncated && (choice.message.tool_calls?.length ?? 0) === 0) continue;
    return false;
  }
  return true;
}

/**
 * Builds the whole answer from a stream's chunks, as a client SDK would: texts and refusals
 * concatenated per choice, tool calls assembled by index, the last finish reason and usage.
 */
export class CompletionAssembler {
  private id = '';
  private created = 0;
  private model = '';
  private fingerprint: string | null | undefined;
  private readonly choices = new Map<number, { content: string[]; refusal: string[]; tools: Map<number, ToolCall>; finish: FinishReason | null }>();
  private usage: ChatCompletion['usage'];

  push(chunk: ChatCompletionChunk): void {
    if (this.id === '') {
      this.id = chunk.id;
      this.created = chunk.created;
      this.model = chunk.model;
    }
    if (chunk.system_fingerprint !== undefined) this.fingerprint = chunk.system_fingerprint;
    if (chunk.usage) this.usage = chunk.usage;
    for (const c of chunk.choices) {
      let choice = this.choices.get(c.index);
      if (choice === undefined) this.choices.set(c.index, (choice = { content: [], refusal: [], tools: new Map(), finish: null }));
      const d = c.delta;
      if (typeof d.content === 'string') choice.content.push(d.content);
      if (typeof d.refusal === 'string') choice.refusal.push(d.refusal);
      if (Array.isArray(d.tool_calls)) {
        for (const t of d.tool_calls) {
          let call = choice.tools.get(t.index);
          if (call === undefined) choice.tools.set(t.index, (call = { id: '', type: 'function', function: { name: '', arguments: '' } }));
          if (t.id) call.id = t.id;
          if (t.function?.name) call.function.name += t.function.name;
          if (t.function?.arguments) call.function.arguments += t.function.arguments;
        }
      }
      if (c.finish_reason) choice.finish = c.finish_reason;
    }
  }

  completion(): ChatCompletion {
    const choices: ChatCompletionChoice[] = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => {
        // As OpenAI writes a message: `refusal` always there, null when there was none.
        const message: ChatCompletionChoice['message'] = {
          role: 'assistant',
          content: c.content.length > 0 ? c.content.join('') : null,
          refusal: c.refusal.length > 0 ? c.refusal.join('') : null,
        };
        if (c.tools.size > 0) message.tool_calls = [...c.tools.entries()].sort(([a], [b]) => a - b).map(([, t]) => t);
        return { index, message, finish_reason: c.finish, logprobs: null };
      });
    const completion: ChatCompletion = { id: this.id, object: 'chat.completion', created: this.created, model: this.model, choices };
    if (this.usage) completion.usage = this.usage;
    if (this.fingerprint !== undefined) completion.system_fingerprint = this.fingerprint;
    return completion;
  }
}

/** Characters per replayed content chunk: a stream of a few events, not one per character. */
const REPLAY_PIECE = 256;

/**
 * A cached answer as a stream in OpenAI's shape: per choice a role chunk, the text in pieces,
 * tool calls (name and id, then the arguments), then the finish reason; usage last, for clients
 * that asked for it.
 */
export function replayChunks(completion: ChatCompletion): ChatCompletionChunk[] {
  const base = { id: completion.id, object: 'chat.completion.chunk' as const, created: completion.created, model: completion.model };
  const withFingerprint = completion.system_fingerprint !== undefined ? { system_fingerprint: completion.system_fingerprint } : {};
  const out: ChatCompletionChunk[] = [];
  const chunk = (choice: ChatCompletionChunk['choices'][number]): void => {
    out.push({ ...base, ...withFingerprint, choices: [choice] });
  };
  for (const c of completion.choices) {
    const m = c.message;
    chunk({ index: c.index, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null });
    const text = typeof m.content === 'string' ? m.content : '';
    for (let i = 0; i < text.length; i += REPLAY_PIECE) {
      chunk({ index: c.index, delta: { content: text.slice(i, i + REPLAY_PIECE) }, finish_reason: null, logprobs: null });
    }
    if (typeof m.refusal === 'string' && m.refusal.length > 0) chunk({ index: c.index, delta: { refusal: m.refusal }, finish_reason: null, logprobs: null });
    (m.tool_calls ?? []).forEach((t, i) => {
      chunk({
        index: c.index,
        delta: { tool_calls: [{ index: i, id: t.id, type: 'function', function: { name: t.function.name, arguments: '' } }] },
        finish_reason: null,
        logprobs: null,
      });
      if (t.function.arguments.length > 0) {
        chunk({ index: c.index, delta: { tool_calls: [{ index: i, function: { arguments: t.function.arguments } }] }, finish_reason: null, logprobs: null });
      }
    });
    chunk({ index: c.index, delta: {}, finish_reason: c.finish_reason ?? 'stop', logprobs: null });
  }
  if (completion.usage) out.push({ ...base, ...withFingerprint, choices: [], usage: completion.usage });
  return out;
}
