import {
  InvalidRequestError,
  redactSecrets,
  UpstreamError,
  type AnthropicBase64Source,
  type AnthropicErrorBody,
  type AnthropicErrorType,
  type AnthropicMessage,
  type AnthropicMessageParam,
  type AnthropicMessagesRequest,
  type AnthropicRequestBlock,
  type AnthropicResponseBlock,
  type AnthropicSource,
  type AnthropicStopReason,
  type AnthropicTextBlock,
  type AnthropicToolChoice,
  type AnthropicUsage,
  type ChatCompletion,
  type ChatCompletionChoice,
  type ChatCompletionRequest,
  type ChatContentPart,
  type ChatContentPartText,
  type ChatMessage,
  type FinishReason,
  type SwitchyardError,
  type ToolCall,
  type ToolChoice,
  type Usage,
} from '@switchyard/contracts';
import { rawJson, type UpstreamErrorDetail } from '../http/upstream-client';

// The canonical model (OpenAI chat completions) <-> Anthropic Messages, one pair per shape:
// toAnthropicRequest / fromAnthropicRequest, fromAnthropicMessage / toAnthropicMessage,
// anthropicErrorDetail / toAnthropicError; streams in anthropic-stream.mapper.ts. The adapter (a
// backend speaking Anthropic) uses the first of each pair, an Anthropic door the second. Pure
// functions; the HTTP is elsewhere.

/** Anthropic requires max_tokens; this is used when the client sets no limit. */
export const DEFAULT_MAX_TOKENS = 4096;

// ---- request: canonical -> Anthropic ---------------------------------------------------------

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

// ---- request: Anthropic -> canonical ---------------------------------------------------------

/**
 * The canonical request for an Anthropic Messages body: the inverse of toAnthropicRequest. Fields
 * with no canonical form are dropped — `top_k`, `thinking`, `cache_control`, a tool result's
 * `is_error`, thinking blocks handed back — since OpenAI-compatible backends receive the canonical
 * request as it is and refuse fields they do not know. Throws for content it cannot carry.
 */
export function fromAnthropicRequest(req: AnthropicMessagesRequest): ChatCompletionRequest {
  const messages: ChatMessage[] = [];
  const system = systemMessage(req.system);
  if (system) messages.push(system);
  req.messages.forEach((m, i) => messages.push(...(m.role === 'assistant' ? assistantMessages(m.content) : userMessages(m.content, i))));

  const out: ChatCompletionRequest = { model: req.model, messages, max_tokens: req.max_tokens };
  if (req.temperature != null) out.temperature = req.temperature;
  if (req.top_p != null) out.top_p = req.top_p;
  if (req.stop_sequences && req.stop_sequences.length > 0) out.stop = [...req.stop_sequences];
  if (req.metadata?.user_id) out.user = req.metadata.user_id;
  if (req.tools && req.tools.length > 0) {
    out.tools = req.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, ...(t.description !== undefined && { description: t.description }), parameters: t.input_schema },
    }));
    // Only with tools: OpenAI refuses a tool_choice without them.
    if (req.tool_choice) {
      out.tool_choice = fromToolChoice(req.tool_choice);
      if (req.tool_choice.type !== 'none' && req.tool_choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
    }
  }
  // An Anthropic stream always ends with its usage; a canonical one only when asked.
  if (req.stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  ORIGINS.set(out, req);
  CLIENT_MESSAGES.add(messages);
  return out;
}

/** Canonical requests made by fromAnthropicRequest -> the Anthropic body they came from. */
const ORIGINS = new WeakMap<ChatCompletionRequest, AnthropicMessagesRequest>();
/** The messages of canonical requests made by fromAnthropicRequest, which plain copies of a request share. */
const CLIENT_MESSAGES = new WeakSet<ChatMessage[]>();

/**
 * Whether an Anthropic backend's stream may reach the client as it comes: the request came from an
 * Anthropic body and was not redacted. Redaction rewrites a deep copy of the request and restores
 * the answer's chunks in place; a request still holding the client's messages (the door's own, or
 * the privacy screen's plain copy of it) was not redacted, so nothing rewrites its answer.
 */
export function relaysAnthropicStream(req: ChatCompletionRequest): boolean {
  return CLIENT_MESSAGES.has(req.messages);
}

/**
 * What an Anthropic backend is sent for a canonical request that came from an Anthropic body, as
 * it is: the client's own bytes when the model id and the stream flag stay, else the body with
 * those two set. What the canonical form drops (thinking, top_k, cache_control, …) so still
 * reaches Anthropic. Any other object (a privacy copy or a redacted request) is not recognised and
 * goes through toAnthropicRequest.
 */
export function originalAnthropicBody(req: ChatCompletionRequest, model: string, stream: boolean): string | undefined {
  const origin = ORIGINS.get(req);
  if (origin === undefined) return undefined;
  const raw = rawJson(origin);
  if (raw !== undefined && origin.model === model && (origin.stream === true) === stream) return raw;
  return JSON.stringify({ ...origin, model, stream });
}

function systemMessage(system: AnthropicMessagesRequest['system']): ChatMessage | undefined {
  if (typeof system === 'string') return system ? { role: 'system', content: system } : undefined;
  const parts = (system ?? []).filter((b) => b.type === 'text').map(textPart);
  return parts.length > 0 ? { role: 'system', content: parts } : undefined;
}

/**
 * A user turn's tool results become tool messages (OpenAI wants them right after the assistant's
 * tool calls), the rest one user message. Images inside a tool result, which a tool message cannot
 * carry, follow in that user message.
 */
function userMessages(content: AnthropicMessageParam['content'], turn: number): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const out: ChatMessage[] = [];
  const parts: ChatContentPart[] = [];
  content.forEach((block, i) => {
    if (block.type === 'tool_result') {
      const blocks = typeof block.content === 'string' ? [] : (block.content ?? []);
      const text = typeof block.content === 'string' ? block.content : blocks.filter((b) => b.type === 'text').map(textPart);
      out.push({ role: 'tool', tool_call_id: block.tool_use_id, content: text.length > 0 ? text : '' });
      for (const b of blocks) if (b.type === 'image') parts.push(imagePart(b.source));
      return;
    }
    const part = userPart(block, `messages[${turn}].content[${i}]`);
    if (part) parts.push(part);
  });
  if (parts.length > 0) out.push({ role: 'user', content: parts });
  return out;
}

/** Text, images and base64 PDFs; blocks a user turn does not hold (tool_use, thinking) are skipped. */
function userPart(block: AnthropicRequestBlock, param: string): ChatContentPart | undefined {
  switch (block.type) {
    case 'text':
      return textPart(block);
    case 'image':
      return imagePart(block.source);
    case 'document':
      if (block.source.type === 'base64' && block.source.media_type === 'application/pdf') {
        return { type: 'file', file: { filename: block.title || 'document.pdf', file_data: dataUrl(block.source) } };
      }
      throw new InvalidRequestError('Only base64 PDF documents are supported; send other documents as text.', param);
    default:
      return undefined;
  }
}

/**
 * With tool calls the text is a string beside them (as toAnthropicRequest reads it); without, blocks
 * stay parts, so a turn written as blocks goes back as blocks. Thinking blocks are dropped.
 */
function assistantMessages(content: AnthropicMessageParam['content']): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'assistant', content }];
  const parts = content.filter((b) => b.type === 'text').map(textPart);
  const calls: ToolCall[] = content
    .filter((b) => b.type === 'tool_use')
    .map((b) => ({ id: b.id, type: 'function', function: { name: b.name, arguments: argumentsOf(b.input) } }));
  if (calls.length === 0) return parts.length > 0 ? [{ role: 'assistant', content: parts }] : [];
  return [{ role: 'assistant', content: parts.length > 0 ? parts.map((p) => p.text).join('\n') : null, tool_calls: calls }];
}

function textPart(block: AnthropicTextBlock): ChatContentPartText {
  return { type: 'text', text: block.text };
}

function imagePart(source: AnthropicSource): ChatContentPart {
  return { type: 'image_url', image_url: { url: source.type === 'base64' ? dataUrl(source) : source.url } };
}

function dataUrl(source: AnthropicBase64Source): string {
  return `data:${source.media_type};base64,${source.data}`;
}

/** Tool input as OpenAI's arguments string: the JSON of the input object. */
function argumentsOf(input: unknown): string {
  return JSON.stringify(input ?? {});
}

function fromToolChoice(choice: AnthropicToolChoice): ToolChoice {
  switch (choice.type) {
    case 'any':
      return 'required';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
    case 'none':
      return 'none';
    default:
      return 'auto';
  }
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
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: argumentsOf(block.input) } });
    }
  }
  const message: ChatCompletionChoice['message'] = { role: 'assistant', content: hasText || toolCalls.length === 0 ? text : null, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const completion: ChatCompletion = {
    id: canonicalIdOf(msg.id),
    object: 'chat.completion',
    created,
    model: msg.model,
    choices: [{ index: 0, message, finish_reason: finishReasonOf(msg.stop_reason), logprobs: null }],
    usage: usageOf(msg.usage),
  };
  MESSAGES.set(completion, { message: msg, said: JSON.stringify(message) });
  return completion;
}

/** Canonical completions made by fromAnthropicMessage -> the message they were read from, and what they said then. */
const MESSAGES = new WeakMap<ChatCompletion, { message: AnthropicMessage; said: string }>();

/**
 * The Anthropic message a canonical completion was read from, while the completion still says
 * what it said then (restoring redacted values rewrites it in place): an Anthropic door answers
 * with it as it came, thinking blocks, stop_sequence and cache counts included.
 */
export function originalAnthropicMessage(completion: ChatCompletion): AnthropicMessage | undefined {
  const origin = MESSAGES.get(completion);
  if (origin === undefined || JSON.stringify(completion.choices[0]?.message) !== origin.said) return undefined;
  return origin.message;
}

/**
 * The Anthropic message for a canonical completion: the inverse of fromAnthropicMessage. Its text
 * is one block (the canonical answer keeps no block boundaries); a refusal is said as text.
 * `stopSequences` are the client's, to tell which one a finish matched where the backend says so.
 */
export function toAnthropicMessage(completion: ChatCompletion, stopSequences: readonly string[] = []): AnthropicMessage {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: AnthropicResponseBlock[] = [];
  if (message?.content) content.push({ type: 'text', text: message.content });
  if (message?.refusal) content.push({ type: 'text', text: message.refusal });
  for (const call of message?.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) });
  }
  const hasTools = content.some((b) => b.type === 'tool_use');
  const matched = choice && matchedStopSequence(choice, stopSequences);
  const stop = choice?.finish_reason == null ? null : stopReasonOf(choice.finish_reason, hasTools, Boolean(message?.refusal), matched);
  return {
    id: anthropicIdOf(completion.id),
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: stop,
    stop_sequence: stop === 'stop_sequence' ? (matched ?? null) : null,
    usage: toAnthropicUsage(completion.usage),
  };
}

/**
 * The client's stop sequence a choice's finish matched, where the backend says which: vLLM names it
 * in the choice's `stop_reason`. OpenAI and Ollama drop the sequence from the text and say only `stop`,
 * so from them a stop sequence cannot be told from the end of the turn.
 */
export function matchedStopSequence(choice: object, stopSequences: readonly string[]): string | undefined {
  const reason = (choice as { stop_reason?: unknown }).stop_reason;
  return typeof reason === 'string' && stopSequences.includes(reason) ? reason : undefined;
}

/**
 * Anthropic's stop reason for a canonical finish. Clients run tools on `tool_use`, so an answer
 * with tool calls says so even from a backend that finished with `stop`; `stopSequence` is the
 * client's stop sequence a `stop` matched, when known.
 */
export function stopReasonOf(finish: FinishReason, hasToolCalls: boolean, refused: boolean, stopSequence?: string): AnthropicStopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      if (hasToolCalls) return 'tool_use';
      if (refused) return 'refusal';
      return stopSequence === undefined ? 'end_turn' : 'stop_sequence';
  }
}

/** OpenAI counts cached tokens inside prompt_tokens, Anthropic beside input_tokens. */
export function toAnthropicUsage(u: Usage | null | undefined): AnthropicUsage {
  const details = u?.prompt_tokens_details as { cached_tokens?: unknown } | undefined;
  const cached = typeof details?.cached_tokens === 'number' ? details.cached_tokens : 0;
  const usage: AnthropicUsage = { input_tokens: (u?.prompt_tokens ?? 0) - cached, output_tokens: u?.completion_tokens ?? 0 };
  if (cached > 0) usage.cache_read_input_tokens = cached;
  return usage;
}

/** Canonical ids are the Anthropic id behind `chatcmpl-`, so each direction undoes the other. */
export function canonicalIdOf(id: string): string {
  return `chatcmpl-${id}`;
}

export function anthropicIdOf(id: string): string {
  return id.startsWith('chatcmpl-') ? id.slice('chatcmpl-'.length) : id;
}

// ---- errors ---------------------------------------------------------------------------------

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

/** Anthropic's error type for a status, as its API answers. */
export function anthropicErrorType(status: number): AnthropicErrorType {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503: // no backend could take it: retry later, as for an overload
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/**
 * A Switchyard error as Anthropic's body; the status stays the error's own. A secret that reached
 * the message (an upstream echoing its key) is masked, as in the OpenAI dialect.
 */
export function toAnthropicError(err: SwitchyardError, requestId?: string): AnthropicErrorBody {
  const body: AnthropicErrorBody = { type: 'error', error: { type: anthropicErrorType(err.status), message: redactSecrets(err.message) } };
  if (requestId) body.request_id = requestId;
  return body;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
