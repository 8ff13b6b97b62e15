/**
 * What the fake answers, whatever the protocol: reply tokens, tool-call plans, token counts and
 * embeddings, all deterministic. Exported helpers let tests and benchmarks predict the output.
 */
import { createHash } from 'node:crypto';
import { semanticEmbedding } from './semantic-embedding';

const EMBED_DIM = 8;

/** Model listings' creation time, fixed so answers stay byte-for-byte stable. */
export const MODEL_CREATED_SEC = 1_700_000_000;
export const MODEL_CREATED_ISO = new Date(MODEL_CREATED_SEC * 1000).toISOString();

/** JavaScript's `\s`, one UTF-16 unit at a time. */
function isSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/*
 * Both scan by hand rather than with /\s*\S+/g: a regular expression over one word of megabytes
 * (a hostile prompt echoed back) needs a backtracking stack that can run out mid-test.
 */

/** Splits text on word boundaries keeping the leading whitespace with each word: "Echo:", " hello", " world". */
export function tokenizeReply(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i === n) break;
    while (i < n && !isSpace(text.charCodeAt(i))) i++;
    out.push(text.slice(start, i));
    start = i;
  }
  // Trailing whitespace stays with the last word (or is the only token).
  if (start < n) {
    if (out.length > 0) out[out.length - 1] += text.slice(start);
    else out.push(text.slice(start));
  }
  return out;
}

/** Number of whitespace-separated words. */
export function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = isSpace(text.charCodeAt(i));
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

/** Deterministic unit-length 8-dim embedding derived from a SHA-256 of the text (values are float32-exact). */
export function fakeEmbedding(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  const v = new Array<number>(EMBED_DIM);
  let norm = 0;
  for (let i = 0; i < EMBED_DIM; i++) {
    const x = digest.readUInt32LE(i * 4) / 0xffffffff - 0.5;
    v[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < EMBED_DIM; i++) v[i] = Math.fround(v[i] / norm);
  return v;
}

export { SEMANTIC_EMBED_DIM, semanticEmbedding, semanticTerms } from './semantic-embedding';

/** The embedding a model answers with: the paraphrase-aware 256-dim one for ids containing `semantic` (`semantic-embed`), else the 8-dim hash. */
export function embeddingFor(model: string, text: string): number[] {
  return model.toLowerCase().includes('semantic') ? semanticEmbedding(text) : fakeEmbedding(text);
}

/** Text of a message `content`: string, or an array of parts/blocks (text parts, Anthropic tool_result blocks). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content) {
    if (part === null || typeof part !== 'object') {
      if (typeof part === 'string') out = out ? `${out} ${part}` : part;
      continue;
    }
    const p = part as Record<string, unknown>;
    let t: string | undefined;
    if (typeof p.text === 'string') t = p.text;
    else if (p.type === 'tool_result') t = textOf(p.content);
    if (t !== undefined && t !== '') out = out ? `${out} ${t}` : t;
  }
  return out;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : undefined;
}

/** Splits a string into `max(2, ceil(len/12))` roughly equal pieces (at least 2 when len >= 2). */
function splitPieces(s: string): string[] {
  const count = Math.max(2, Math.ceil(s.length / 12));
  const size = Math.max(1, Math.ceil(s.length / count));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

export interface ToolCallPlan {
  name: string;
  args: { input: string };
  argsJson: string;
  pieces: string[];
}

export interface CompletionPlan {
  promptTokens: number;
  /** Text tokens (already truncated). Empty array for tool calls. */
  tokens: string[];
  text: string;
  truncated: boolean;
  tool: ToolCallPlan | undefined;
  completionTokens: number;
}

/** What a protocol reads off its request for planCompletion. */
export interface ConversationFacts {
  promptTokens: number;
  lastUserText: string;
  /** set when the last message is a tool result */
  toolResult: string | undefined;
  /** set when tools are offered (and allowed) and the last message is a plain user message */
  toolName: string | undefined;
}

export function planCompletion(facts: ConversationFacts, reply: string | undefined, maxTokens: number | undefined): CompletionPlan {
  if (facts.toolName !== undefined) {
    const args = { input: facts.lastUserText };
    const argsJson = JSON.stringify(args);
    const pieces = splitPieces(argsJson);
    return {
      promptTokens: facts.promptTokens,
      tokens: [],
      text: '',
      truncated: false,
      tool: { name: facts.toolName, args, argsJson, pieces },
      completionTokens: pieces.length,
    };
  }
  const full = facts.toolResult !== undefined ? `Tool said: ${facts.toolResult}` : reply !== undefined ? reply : `Echo: ${facts.lastUserText}`;
  let tokens = tokenizeReply(full);
  let truncated = false;
  if (maxTokens !== undefined && tokens.length > maxTokens) {
    tokens = tokens.slice(0, maxTokens);
    truncated = true;
  }
  return {
    promptTokens: facts.promptTokens,
    tokens,
    text: truncated ? tokens.join('') : full,
    truncated,
    tool: undefined,
    completionTokens: tokens.length,
  };
}

/** Words over every message's text, and the text of the last message that `isUserTurn` accepts. */
export function tallyMessages(messages: unknown[], isUserTurn: (m: Record<string, unknown>) => boolean): { words: number; lastUserText: string } {
  let words = 0;
  let lastUserText = '';
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (!isObject(m)) continue;
    const t = textOf(m.content);
    words += countWords(t);
    if (isUserTurn(m)) lastUserText = t;
  }
  return { words, lastUserText };
}

/** OpenAI and Ollama share the message shape: {role, content}, role 'tool' for tool results, tools[].function.name. */
export function chatFacts(messages: unknown[], tools: unknown, toolChoice: unknown): ConversationFacts {
  const { words, lastUserText } = tallyMessages(messages, (m) => m.role === 'user');
  const last = messages[messages.length - 1];
  const lastRole = isObject(last) ? last.role : undefined;
  let toolName: string | undefined;
  if (lastRole === 'user' && Array.isArray(tools) && tools.length > 0 && toolChoice !== 'none') {
    if (isObject(toolChoice) && isObject(toolChoice.function) && typeof toolChoice.function.name === 'string') {
      toolName = toolChoice.function.name;
    } else {
      const first: unknown = tools[0];
      if (isObject(first)) {
        if (isObject(first.function) && typeof first.function.name === 'string') toolName = first.function.name;
        else if (typeof first.name === 'string') toolName = first.name;
      }
    }
  }
  return {
    promptTokens: Math.max(1, words),
    lastUserText,
    toolResult: lastRole === 'tool' && isObject(last) ? textOf(last.content) : undefined,
    toolName,
  };
}

/** Embedding inputs as OpenAI and Ollama take them: a string, strings, or pre-tokenized number arrays. */
export function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((x) => typeof x === 'number')) return [input.join(' ')]; // one pre-tokenized input
  return input.map((x) => (typeof x === 'string' ? x : Array.isArray(x) ? x.join(' ') : String(x)));
}
