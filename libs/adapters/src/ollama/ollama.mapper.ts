import { randomBytes } from 'node:crypto';
import {
  UpstreamError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionChunkChoice,
  type ChatCompletionRequest,
  type ChatMessage,
  type EmbeddingsRequest,
  type EmbeddingsResponse,
  type FinishReason,
  type ToolCall,
  type ToolCallDelta,
  type Usage,
} from '@switchyard/contracts';
import type { UpstreamErrorDetail } from '../http/upstream-client';
import type {
  OllamaChatRequest,
  OllamaChatResponse,
  OllamaDoneReason,
  OllamaEmbedRequest,
  OllamaEmbedResponse,
  OllamaMessage,
  OllamaOptions,
  OllamaStreamLine,
  OllamaTool,
  OllamaToolCall,
} from './ollama.types';

// OpenAI-shaped requests in, Ollama's native /api/chat and /api/embed out, and back again.
// Pure functions (plus one small stateful stream translator); the adapter does the I/O.

/** `chatcmpl-` and 24 random hex digits, as OpenAI's ids look. */
export function newCompletionId(): string {
  return `chatcmpl-${randomBytes(12).toString('hex')}`;
}

/**
 * Ollama's tool calls carry no id; OpenAI clients answer them by id. The id is derived from the
 * completion's so it is unique across the turns of a conversation and predictable in tests.
 */
export function toolCallId(completionId: string, index: number): string {
  return `call_${completionId.replace(/^chatcmpl-/, '')}_${index}`;
}

function clientError(backend: string, message: string, param: string): UpstreamError {
  return new UpstreamError({ backend, failure: 'client_error', upstreamStatus: 400, message, param });
}

// ---------------------------------------------------------------------------------------------
// Request: OpenAI chat completion -> Ollama /api/chat
// ---------------------------------------------------------------------------------------------

export function toOllamaChatRequest(req: ChatCompletionRequest, model: string, stream: boolean, backend: string): OllamaChatRequest {
  if (req.n != null && req.n > 1) throw clientError(backend, 'Ollama backends generate one choice per request (n must be 1).', 'n');
  const body: OllamaChatRequest = { model, messages: toOllamaMessages(req.messages, backend), stream };

  // Ollama has no tool_choice; "none" is honoured by not offering the tools at all.
  if (req.tools?.length && req.tool_choice !== 'none') body.tools = req.tools.map(toOllamaTool);

  const format = toOllamaFormat(req.response_format);
  if (format !== undefined) body.format = format;

  const options = toOllamaOptions(req);
  if (Object.keys(options).length > 0) body.options = options;
  return body;
}

function toOllamaOptions(req: ChatCompletionRequest): OllamaOptions {
  const options: OllamaOptions = {};
  if (req.temperature != null) options.temperature = req.temperature;
  if (req.top_p != null) options.top_p = req.top_p;
  if (req.seed != null) options.seed = req.seed;
  if (req.stop != null) options.stop = typeof req.stop === 'string' ? [req.stop] : req.stop;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) options.num_predict = maxTokens;
  if (req.presence_penalty != null) options.presence_penalty = req.presence_penalty;
  if (req.frequency_penalty != null) options.frequency_penalty = req.frequency_penalty;
  return options;
}

function toOllamaFormat(rf: ChatCompletionRequest['response_format']): OllamaChatRequest['format'] {
  if (!rf) return undefined;
  if (rf.type === 'json_object') return 'json';
  if (rf.type === 'json_schema') return rf.json_schema?.schema ?? 'json';
  return undefined;
}

function toOllamaTool(tool: NonNullable<ChatCompletionRequest['tools']>[number]): OllamaTool {
  const { name, description, parameters } = tool.function;
  const fn: OllamaTool['function'] = { name };
  if (description !== undefined) fn.description = description;
  if (parameters !== undefined) fn.parameters = parameters;
  return { type: 'function', function: fn };
}

function toOllamaMessages(messages: ChatMessage[], backend: string): OllamaMessage[] {
  // tool_call_id -> function name, from the assistant turns seen so far (latest wins).
  const toolNames = new Map<string, string>();
  return messages.map((m) => {
    switch (m.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: textOnly(m.content, backend) };
      case 'user': {
        const { content, images } = textAndImages(m.content, backend);
        return images.length > 0 ? { role: 'user', content, images } : { role: 'user', content };
      }
      case 'assistant': {
        const msg: OllamaMessage = { role: 'assistant', content: textOnly(m.content, backend) };
        if (m.tool_calls?.length) {
          msg.tool_calls = m.tool_calls.map((tc): OllamaToolCall => {
            if (tc.id) toolNames.set(tc.id, tc.function.name);
            return { function: { name: tc.function.name, arguments: parseArguments(tc.function.arguments, backend) } };
          });
        }
        return msg;
      }
      case 'tool': {
        const msg: OllamaMessage = { role: 'tool', content: textOnly(m.content, backend) };
        const name = (m.tool_call_id && toolNames.get(m.tool_call_id)) || m.name;
        if (name) msg.tool_name = name;
        return msg;
      }
      case 'function': {
        // The legacy function-calling result: its `name` is the function's.
        const msg: OllamaMessage = { role: 'tool', content: textOnly(m.content, backend) };
        if (m.name) msg.tool_name = m.name;
        return msg;
      }
      default:
        throw clientError(backend, `Ollama backends do not take messages with role "${String(m.role)}".`, 'messages');
    }
  });
}

/** OpenAI sends arguments as a JSON string; Ollama wants the object. */
function parseArguments(args: string, backend: string): Record<string, unknown> {
  if (!args || !args.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw clientError(backend, 'Tool call arguments must be valid JSON to be sent to an Ollama backend.', 'messages');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw clientError(backend, 'Tool call arguments must be a JSON object to be sent to an Ollama backend.', 'messages');
  }
  return parsed as Record<string, unknown>;
}

function textOnly(content: ChatMessage['content'], backend: string): string {
  const { content: text, images } = textAndImages(content, backend);
  if (images.length > 0) throw clientError(backend, 'Ollama backends take images in user messages only.', 'messages');
  return text;
}

function textAndImages(content: ChatMessage['content'], backend: string): { content: string; images: string[] } {
  if (content == null) return { content: '', images: [] };
  if (typeof content === 'string') return { content, images: [] };
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of content) {
    if (part.type === 'text') {
      texts.push(textOf((part as { text?: unknown }).text));
    } else if (part.type === 'image_url') {
      const url = (part as { image_url?: { url?: unknown } }).image_url?.url;
      images.push(imagePayload(typeof url === 'string' ? url : '', backend));
    } else if (part.type === 'refusal') {
      // An assistant's earlier refusal, sent back as history: it is the turn's text.
      texts.push(textOf((part as { refusal?: unknown }).refusal));
    } else {
      throw clientError(backend, `Ollama backends do not take "${part.type}" content parts.`, 'messages');
    }
  }
  return { content: texts.join('\n'), images };
}

/** The base64 payload of a data: URL (Ollama cannot fetch http(s) URLs). */
function imagePayload(url: string, backend: string): string {
  const m = /^data:([^,]*?),(.*)$/s.exec(url);
  if (!m) throw clientError(backend, 'Ollama backends take images as data: URLs only', 'messages');
  const [, meta, data] = m;
  if (/;base64$/i.test(meta)) return data.replace(/\s+/g, '');
  // A percent-encoded data: URL (e.g. an SVG): re-encode its bytes.
  try {
    return Buffer.from(decodeURIComponent(data), 'utf8').toString('base64');
  } catch {
    throw clientError(backend, 'An image data: URL could not be decoded.', 'messages');
  }
}

// ---------------------------------------------------------------------------------------------
// Response: Ollama /api/chat -> OpenAI chat completion
// ---------------------------------------------------------------------------------------------

function createdSeconds(createdAt: string | undefined): number {
  const ms = createdAt ? Date.parse(createdAt) : NaN;
  return Math.floor((Number.isNaN(ms) ? Date.now() : ms) / 1000);
}

function finishReason(doneReason: OllamaDoneReason | undefined, hasToolCalls: boolean): FinishReason {
  if (doneReason === 'length') return 'length';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

function usageOf(res: OllamaChatResponse): Usage {
  const prompt = res.prompt_eval_count ?? 0;
  const completion = res.eval_count ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function toOpenAIToolCall(tc: OllamaToolCall, id: string): ToolCall {
  return { id, type: 'function', function: { name: tc.function.name, arguments: JSON.stringify(tc.function.arguments ?? {}) } };
}

export function fromOllamaChatResponse(res: OllamaChatResponse, id: string = newCompletionId()): ChatCompletion {
  const msg = res.message;
  const toolCalls = (msg?.tool_calls ?? []).map((tc, i) => toOpenAIToolCall(tc, toolCallId(id, i)));
  const text = msg?.content ?? '';
  const message: ChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    refusal: null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (msg?.thinking) message.reasoning_content = msg.thinking;
  return {
    id,
    object: 'chat.completion',
    created: createdSeconds(res.created_at),
    model: res.model,
    choices: [{ index: 0, message, finish_reason: finishReason(res.done_reason, toolCalls.length > 0), logprobs: null }],
    usage: usageOf(res),
  };
}

// ---------------------------------------------------------------------------------------------
// Streaming: Ollama NDJSON lines -> OpenAI chunks
// ---------------------------------------------------------------------------------------------

export function isOllamaError(line: unknown): line is { error: unknown } {
  return typeof line === 'object' && line !== null && 'error' in line && line.error != null;
}

/**
 * Turns the lines of one /api/chat stream into chat.completion.chunk objects. Feed every line to
 * `push`, then call `end` when the body is over. Every chunk shares the id, created and model of
 * the first line. The `done` line yields a finish chunk and then a usage-only chunk.
 */
export class OllamaStreamTranslator {
  private created = 0;
  private model = '';
  private started = false;
  private done = false;
  private toolCalls = 0;

  constructor(
    private readonly backend: string,
    readonly id: string = newCompletionId(),
  ) {}

  get finished(): boolean {
    return this.done;
  }

  push(line: OllamaStreamLine): ChatCompletionChunk[] {
    if (isOllamaError(line)) {
      const detail = ollamaErrorDetail(line);
      throw new UpstreamError({
        backend: this.backend,
        failure: 'server_error',
        message: `Backend ${this.backend} failed mid-stream.`,
        detail: detail.message,
      });
    }
    if (this.done) return [];
    const res = line;
    const out: ChatCompletionChunk[] = [];
    if (!this.started) {
      this.started = true;
      this.created = createdSeconds(res.created_at);
      this.model = res.model;
      out.push(this.chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }]));
    }
    const msg = res.message;
    if (msg?.thinking) out.push(this.delta({ reasoning_content: msg.thinking }));
    if (msg?.content) out.push(this.delta({ content: msg.content }));
    if (msg?.tool_calls?.length) {
      const deltas: ToolCallDelta[] = msg.tool_calls.map((tc) => {
        const index = this.toolCalls++;
        const call = toOpenAIToolCall(tc, toolCallId(this.id, index));
        return { index, id: call.id, type: 'function', function: call.function };
      });
      out.push(this.delta({ tool_calls: deltas }));
    }
    if (res.done) {
      this.done = true;
      const reason = finishReason(res.done_reason, this.toolCalls > 0);
      out.push(this.chunk([{ index: 0, delta: {}, finish_reason: reason, logprobs: null }]));
      out.push(this.chunk([], usageOf(res)));
    }
    return out;
  }

  /** The body ended: a stream cut before its `done` line is a failure, not a short answer. */
  end(): void {
    if (!this.done) {
      throw new UpstreamError({
        backend: this.backend,
        failure: 'network',
        message: `Backend ${this.backend} closed the stream before it finished.`,
      });
    }
  }

  private delta(delta: ChatCompletionChunkChoice['delta']): ChatCompletionChunk {
    return this.chunk([{ index: 0, delta, finish_reason: null, logprobs: null }]);
  }

  private chunk(choices: ChatCompletionChunkChoice[], usage?: Usage): ChatCompletionChunk {
    const chunk: ChatCompletionChunk = { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices };
    if (usage) chunk.usage = usage;
    return chunk;
  }
}

// ---------------------------------------------------------------------------------------------
// Embeddings
// ---------------------------------------------------------------------------------------------

export function toOllamaEmbedRequest(req: EmbeddingsRequest, model: string, backend: string): OllamaEmbedRequest {
  const input = req.input;
  const isText = typeof input === 'string' || (Array.isArray(input) && input.every((x) => typeof x === 'string'));
  if (!isText) throw clientError(backend, 'Ollama backends take embeddings input as text only (token arrays are not supported).', 'input');
  const body: OllamaEmbedRequest = { model, input: input };
  if (req.dimensions != null) body.dimensions = req.dimensions;
  return body;
}

/** Little-endian float32 bytes, base64: what OpenAI sends for `encoding_format: "base64"`. */
export function floatsToBase64(vector: number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i], i * 4);
  return buf.toString('base64');
}

export function fromOllamaEmbedResponse(res: OllamaEmbedResponse, model: string, encodingFormat?: 'float' | 'base64'): EmbeddingsResponse {
  const tokens = res.prompt_eval_count ?? 0;
  return {
    object: 'list',
    data: (res.embeddings ?? []).map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: encodingFormat === 'base64' ? floatsToBase64(vector) : vector,
    })),
    model: res.model || model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** Ollama answers errors as `{"error":"..."}`; a missing model is a 404 "model 'x' not found". */
export function ollamaErrorDetail(body: unknown): UpstreamErrorDetail {
  const b = (body ?? {}) as { error?: unknown; message?: unknown };
  let message: string | undefined;
  if (typeof b.error === 'string') message = b.error;
  else if (b.error && typeof b.error === 'object' && typeof (b.error as { message?: unknown }).message === 'string') {
    message = (b.error as { message: string }).message;
  } else if (typeof b.message === 'string') message = b.message;
  if (message && /\bmodel\b.*\bnot found\b/i.test(message)) return { message, code: 'model_not_found', param: 'model' };
  return { message };
}

/** A part's text; anything but a string (validation lets odd parts through) reads as nothing. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
