import { randomUUID } from 'node:crypto';
import {
  UpstreamError,
  type AnthropicMessage,
  type AnthropicMessageParam,
  type AnthropicMessagesRequest,
  type AnthropicRequestBlock,
  type AnthropicSource,
  type AnthropicStreamEvent,
  type AnthropicToolChoice,
  type AnthropicUsage,
  type ChatCompletion,
  type ChatCompletionChoice,
  type ChatCompletionChunk,
  type ChatCompletionChunkChoice,
  type ChatCompletionRequest,
  type ChatContentPart,
  type ChatMessage,
  type FinishReason,
  type ToolCall,
  type ToolChoice,
  type Usage,
} from '@switchyard/contracts';
import type { UpstreamErrorDetail } from '../http/upstream-client';

// OpenAI chat completions <-> Anthropic Messages. Pure functions plus one stateful stream translator;
// the adapter does the HTTP.

/** Anthropic requires max_tokens; this is used when the client sets no limit. */
export const DEFAULT_MAX_TOKENS = 4096;

// ---- request --------------------------------------------------------------------------------

/**
 * The Anthropic body for an OpenAI request. Throws (before any call) for what cannot be served;
 * fields with no Anthropic equivalent (seed, logprobs, penalties, ...) are dropped.
 */
export function toAnthropicRequest(req: ChatCompletionRequest, model: string, stream: boolean, backend: string): AnthropicMessagesRequest {
  if (req.n != null && req.n > 1) {
    throw new UpstreamError({ backend, failure: 'client_error', upstreamStatus: 400, message: 'n > 1 is not supported by Anthropic backends', param: 'n' });
  }

  const system: string[] = [];
  const messages: AnthropicMessageParam[] = [];
  for (const msg of req.messages) {
    switch (msg.role) {
      case 'system':
      case 'developer': {
        const text = textOf(msg.content);
        if (text) system.push(text);
        break;
      }
      case 'assistant':
        append(messages, 'assistant', assistantContent(msg));
        break;
      case 'tool':
        append(messages, 'user', [toolResult(msg)]);
        break;
      default: // user, and the legacy function role as plain user text
        append(messages, 'user', userContent(msg.content));
    }
  }
  for (const m of messages) if (m.role === 'user' && Array.isArray(m.content)) m.content = toolResultsFirst(m.content);

  const instruction = jsonInstruction(req.response_format);
  if (instruction) system.push(instruction);

  const body: AnthropicMessagesRequest = { model, max_tokens: req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS, messages };
  if (system.length > 0) body.system = system.join('\n\n');
  if (req.temperature != null) body.temperature = Math.min(1, Math.max(0, req.temperature));
  if (req.top_p != null) body.top_p = req.top_p;
  const stop = req.stop == null ? [] : Array.isArray(req.stop) ? req.stop : [req.stop];
  if (stop.length > 0) body.stop_sequences = stop;
  if (req.user) body.metadata = { user_id: req.user };
  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description !== undefined && { description: t.function.description }),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
    }));
    const choice = toolChoice(req.tool_choice, req.parallel_tool_calls);
    if (choice) body.tool_choice = choice;
  }
  body.stream = stream;
  return body;
}

type Content = string | AnthropicRequestBlock[];

/** Adds a message, merging it into the previous one of the same role (Anthropic requires alternation). */
function append(messages: AnthropicMessageParam[], role: 'user' | 'assistant', content: Content): void {
  if (content.length === 0) return;
  const last = messages[messages.length - 1];
  if (last?.role === role) last.content = [...toBlocks(last.content), ...toBlocks(content)];
  else messages.push({ role, content });
}

function toBlocks(content: Content): AnthropicRequestBlock[] {
  if (typeof content !== 'string') return content;
  return content ? [{ type: 'text', text: content }] : [];
}

/** Anthropic wants a user turn's tool results before anything else in it. */
function toolResultsFirst(blocks: AnthropicRequestBlock[]): AnthropicRequestBlock[] {
  return [...blocks.filter((b) => b.type === 'tool_result'), ...blocks.filter((b) => b.type !== 'tool_result')];
}

function textOf(content: ChatMessage['content']): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((p): p is { type: 'text'; text: string } => p.type === 'text' && typeof (p as { text?: unknown }).text === 'string')
    .map((p) => p.text)
    .join('\n');
}

function userContent(content: ChatMessage['content']): Content {
  if (content == null) return [];
  if (typeof content === 'string') return content;
  const blocks: AnthropicRequestBlock[] = [];
  for (const part of content) {
    const block = userBlock(part);
    if (block) blocks.push(block);
  }
  return blocks;
}

/** Text, images and PDF files; other part kinds (audio, ...) have no Anthropic form and are dropped. */
function userBlock(part: ChatContentPart): AnthropicRequestBlock | undefined {
  const p = part as { type: string; text?: unknown; image_url?: { url?: unknown }; file?: { file_data?: unknown } };
  if (p.type === 'text' && typeof p.text === 'string') return p.text ? { type: 'text', text: p.text } : undefined;
  if (p.type === 'image_url' && typeof p.image_url?.url === 'string') return { type: 'image', source: sourceOf(p.image_url.url) };
  if (p.type === 'file' && typeof p.file?.file_data === 'string' && p.file.file_data.startsWith('data:application/pdf')) {
    return { type: 'document', source: sourceOf(p.file.file_data) };
  }
  return undefined;
}

/** A `data:` URL becomes inline base64; anything else is fetched by Anthropic from its URL. */
function sourceOf(url: string): AnthropicSource {
  const m = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!m) return { type: 'url', url };
  const mediaType = m[1] || 'application/octet-stream';
  const isBase64 = m[2].split(';').includes('base64');
  const data = isBase64 ? m[3] : Buffer.from(decodeURIComponent(m[3]), 'utf8').toString('base64');
  return { type: 'base64', media_type: mediaType, data };
}

function assistantContent(msg: ChatMessage): Content {
  const calls = msg.tool_calls ?? [];
  if (calls.length === 0 && typeof msg.content === 'string') return msg.content;
  const blocks: AnthropicRequestBlock[] = [];
  const text = textOf(msg.content);
  if (text) blocks.push({ type: 'text', text });
  for (const call of calls) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) });
  }
  return blocks;
}

/** Tool input must be a JSON object; arguments that are not one become `{}`. */
function parseArguments(args: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args ?? '');
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return {};
}

function toolResult(msg: ChatMessage): AnthropicRequestBlock {
  const text = textOf(msg.content);
  return { type: 'tool_result', tool_use_id: msg.tool_call_id ?? '', ...(text && { content: text }) };
}

function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  const once = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...once };
  if (typeof choice === 'object' && choice?.function?.name) return { type: 'tool', name: choice.function.name, ...once };
  if (choice === 'auto' || parallel === false) return { type: 'auto', ...once };
  return undefined;
}

/** Anthropic has no JSON mode: the request for JSON (and its schema) goes into the system prompt. */
function jsonInstruction(format: ChatCompletionRequest['response_format']): string | undefined {
  if (format?.type !== 'json_object' && format?.type !== 'json_schema') return undefined;
  const schema = format.type === 'json_schema' ? format.json_schema?.schema : undefined;
  const rule = 'no prose before or after it, no Markdown code fences.';
  if (!schema) return `Respond with a single valid JSON object only: ${rule}`;
  return `Respond with a single valid JSON value only: ${rule} It must conform to this JSON Schema:\n${JSON.stringify(schema)}`;
}

// ---- response -------------------------------------------------------------------------------

export function finishReasonOf(reason: string | null | undefined): FinishReason | null {
  switch (reason) {
    case null:
    case undefined:
      return null;
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default: // end_turn, stop_sequence, pause_turn
      return 'stop';
  }
}

export function usageOf(u: Partial<AnthropicUsage> | undefined): Usage {
  const prompt = (u?.input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0) + (u?.cache_read_input_tokens ?? 0);
  const completion = u?.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function fromAnthropicMessage(msg: AnthropicMessage, created = nowSeconds()): ChatCompletion {
  let text = '';
  let hasText = false;
  const toolCalls: ToolCall[] = [];
  for (const block of msg.content) {
    if (block.type === 'text') {
      text += block.text;
      hasText = true;
    } else if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const message: ChatCompletionChoice['message'] = { role: 'assistant', content: hasText || toolCalls.length === 0 ? text : null, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: `chatcmpl-${msg.id}`,
    object: 'chat.completion',
    created,
    model: msg.model,
    choices: [{ index: 0, message, finish_reason: finishReasonOf(msg.stop_reason), logprobs: null }],
    usage: usageOf(msg.usage),
  };
}

/** `{"type":"error","error":{"type","message"}}`; the Anthropic error type travels as the code. */
export function anthropicErrorDetail(body: unknown): UpstreamErrorDetail {
  if (body === null || typeof body !== 'object') return {};
  const b = body as { error?: { type?: unknown; message?: unknown } | string; message?: unknown };
  if (typeof b.error === 'string') return { message: b.error };
  if (b.error && typeof b.error === 'object') {
    return {
      message: typeof b.error.message === 'string' ? b.error.message : undefined,
      code: typeof b.error.type === 'string' ? b.error.type : null,
    };
  }
  return { message: typeof b.message === 'string' ? b.message : undefined };
}

// ---- stream ---------------------------------------------------------------------------------

/**
 * Anthropic stream events in, OpenAI chunks out. One instance per stream: it remembers the message
 * id, the token counts and which content blocks are tool calls (OpenAI numbers tool calls 0, 1, ...).
 */
export class AnthropicStreamTranslator {
  private id = `chatcmpl-${randomUUID()}`;
  private model: string;
  private readonly usage: AnthropicUsage = { input_tokens: 0, output_tokens: 0 };
  private readonly toolOrdinals = new Map<number, number>();
  private finished = false;

  constructor(
    private readonly backend: string,
    /** Used until message_start names the model. */
    model: string,
    private readonly created = nowSeconds(),
  ) {
    this.model = model;
  }

  /** True once message_stop arrived; later events are ignored. */
  get done(): boolean {
    return this.finished;
  }

  /** Parses one SSE `data` payload (`eventName` is the SSE `event:` field, used if the JSON lacks `type`). */
  push(data: string, eventName?: string): ChatCompletionChunk[] {
    let event: AnthropicStreamEvent;
    try {
      event = JSON.parse(data) as AnthropicStreamEvent;
    } catch {
      throw new UpstreamError({ backend: this.backend, failure: 'protocol', message: `Backend ${this.backend} sent a stream event that is not JSON.` });
    }
    if (event === null || typeof event !== 'object') {
      throw new UpstreamError({ backend: this.backend, failure: 'protocol', message: `Backend ${this.backend} sent a stream event that is not an object.` });
    }
    if (typeof event.type !== 'string' && eventName) (event as { type: string }).type = eventName;
    return this.translate(event);
  }

  translate(event: AnthropicStreamEvent): ChatCompletionChunk[] {
    if (this.finished) return [];
    switch (event.type) {
      case 'message_start': {
        const m = event.message;
        if (m?.id) this.id = `chatcmpl-${m.id}`;
        if (m?.model) this.model = m.model;
        this.countUsage(m?.usage);
        return [this.chunk({ role: 'assistant', content: '' })];
      }
      case 'content_block_start': {
        const block = event.content_block;
        if (block?.type === 'text') return block.text ? [this.chunk({ content: block.text })] : [];
        if (block?.type === 'tool_use') {
          const index = this.toolOrdinals.size;
          this.toolOrdinals.set(event.index, index);
          const input = block.input && typeof block.input === 'object' && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : '';
          return [this.chunk({ tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: input } }] })];
        }
        return [];
      }
      case 'content_block_delta': {
        const delta = event.delta;
        if (delta?.type === 'text_delta') return delta.text ? [this.chunk({ content: delta.text })] : [];
        if (delta?.type === 'input_json_delta') {
          const index = this.toolOrdinals.get(event.index);
          if (index === undefined || !delta.partial_json) return [];
          return [this.chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] })];
        }
        return [];
      }
      case 'message_delta':
        this.countUsage(event.usage);
        return [this.chunk({}, finishReasonOf(event.delta?.stop_reason))];
      case 'message_stop':
        this.finished = true;
        return [
          {
            id: this.id,
            object: 'chat.completion.chunk',
            created: this.created,
            model: this.model,
            choices: [],
            usage: usageOf(this.usage),
          },
        ];
      case 'error': {
        const type = event.error?.type ?? 'error';
        const message = event.error?.message ?? 'unknown error';
        throw new UpstreamError({
          backend: this.backend,
          failure: 'server_error',
          message: `Backend ${this.backend} failed mid-stream.`,
          detail: `${message} (${type})`,
        });
      }
      default: // ping, content_block_stop, and event kinds added after this was written
        return [];
    }
  }

  /** Call when the byte stream ends: a stream that stops before message_stop was cut off. */
  end(): void {
    if (!this.finished) {
      throw new UpstreamError({ backend: this.backend, failure: 'network', message: `Backend ${this.backend} ended the stream before message_stop.` });
    }
  }

  /** Counts are cumulative in message_start and message_delta: a later value replaces an earlier one. */
  private countUsage(u: Partial<AnthropicUsage> | undefined): void {
    if (!u) return;
    if (u.input_tokens != null) this.usage.input_tokens = u.input_tokens;
    if (u.cache_creation_input_tokens != null) this.usage.cache_creation_input_tokens = u.cache_creation_input_tokens;
    if (u.cache_read_input_tokens != null) this.usage.cache_read_input_tokens = u.cache_read_input_tokens;
    if (u.output_tokens != null) this.usage.output_tokens = u.output_tokens;
  }

  private chunk(delta: ChatCompletionChunkChoice['delta'], finishReason: FinishReason | null = null): ChatCompletionChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    };
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
