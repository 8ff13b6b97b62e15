import { randomUUID } from 'node:crypto';
import {
  UpstreamError,
  type AnthropicContentBlockStartEvent,
  type AnthropicStreamEvent,
  type AnthropicUsage,
  type ChatCompletionChunk,
  type ChatCompletionChunkChoice,
  type FinishReason,
  type SwitchyardError,
  type ToolCallDelta,
  type Usage,
} from '@switchyard/contracts';
import {
  anthropicIdOf,
  canonicalIdOf,
  finishReasonOf,
  matchedStopSequence,
  nowSeconds,
  stopReasonOf,
  toAnthropicError,
  toAnthropicUsage,
  usageOf,
} from './anthropic.mapper';

// Streams, one pair: AnthropicStreamDecoder reads a backend's Anthropic events as canonical chunks,
// AnthropicStreamEncoder writes canonical chunks as Anthropic events for a client. Both stateful,
// one instance per stream; the SSE framing is the caller's.

// ---- Anthropic -> canonical ------------------------------------------------------------------

/** A server-sent event as a backend sent it: its `event:` name (if any) and its `data:` text. */
export interface AnthropicWireEvent {
  event?: string;
  data: string;
}

/** Chunks a relaying decoder yielded -> the backend event each was read from. */
const SOURCES = new WeakMap<ChatCompletionChunk, AnthropicWireEvent>();

/**
 * Anthropic stream events in, canonical chunks out (a backend's stream). One instance per stream: it remembers the message
 * id, the token counts and which content blocks are tool calls (OpenAI numbers tool calls 0, 1, ...).
 *
 * A relaying decoder (for an Anthropic client) also yields one chunk per event, carrying it: an
 * event with no canonical form (ping, thinking, content_block_stop, kinds added later) gets an empty
 * chunk of its own, so an Anthropic door can send every event on as it came and when it came.
 */
export class AnthropicStreamDecoder {
  /** The backend event a relaying decoder read `chunk` from; undefined for any other chunk. */
  static eventOf(chunk: ChatCompletionChunk): AnthropicWireEvent | undefined {
    return SOURCES.get(chunk);
  }

  private id = canonicalIdOf(randomUUID());
  private model: string;
  private readonly usage: AnthropicUsage = { input_tokens: 0, output_tokens: 0 };
  private readonly toolOrdinals = new Map<number, number>();
  private finished = false;

  constructor(
    private readonly backend: string,
    /** Used until message_start names the model. */
    model: string,
    private readonly created = nowSeconds(),
    private readonly relay = false,
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
    const chunks = this.translate(event);
    if (!this.relay) return chunks;
    if (chunks.length === 0) chunks.push(this.chunk(undefined));
    SOURCES.set(chunks[0], eventName === undefined ? { data } : { event: eventName, data });
    return chunks;
  }

  translate(event: AnthropicStreamEvent): ChatCompletionChunk[] {
    if (this.finished) return [];
    switch (event.type) {
      case 'message_start': {
        const m = event.message;
        if (m?.id) this.id = canonicalIdOf(m.id);
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

  /** A chunk with one choice saying `delta`; without a delta, an empty chunk (no choices). */
  private chunk(delta: ChatCompletionChunkChoice['delta'] | undefined, finishReason: FinishReason | null = null): ChatCompletionChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: delta === undefined ? [] : [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    };
  }
}

// ---- canonical -> Anthropic ------------------------------------------------------------------

/**
 * Canonical chunks in, Anthropic stream events out (a client's stream). Text and each tool call get
 * their own content block, opened by their first delta and closed when another opens or the choice
 * finishes; argument fragments become input_json_delta. The finish reason and the usage come in
 * separate chunks, so message_delta and message_stop wait for end().
 */
export class AnthropicStreamEncoder {
  private started = false;
  private finished = false;
  private blocks = 0;
  /** The open block's kind; it is always the newest, index blocks - 1. */
  private open: 'text' | 'tool_use' | undefined;
  /** Canonical tool-call index -> content block index. */
  private readonly toolBlocks = new Map<number, number>();
  private finish: FinishReason | null = null;
  /** The client's stop sequence the finish matched, when the backend said which. */
  private stopSequence: string | undefined;
  private refused = false;
  private usage: Usage | null | undefined;

  constructor(
    /** message_start's model if end() comes before any chunk. */
    private readonly model: string,
    /** The client's stop sequences. */
    private readonly stopSequences: readonly string[] = [],
    /** message_start's id if end() comes before any chunk. */
    private readonly id = `msg_${randomUUID()}`,
  ) {}

  /** True once end() or fail() closed the stream; later calls return nothing. */
  get done(): boolean {
    return this.finished;
  }

  push(chunk: ChatCompletionChunk): AnthropicStreamEvent[] {
    if (this.finished) return [];
    const out: AnthropicStreamEvent[] = [];
    if (!this.started) out.push(this.start(chunk.id, chunk.model, chunk.usage));
    if (chunk.usage) this.usage = chunk.usage;
    // An Anthropic message is one answer: choice 0.
    const choice = chunk.choices.find((c) => c.index === 0);
    if (!choice) return out;
    const { content, refusal, tool_calls } = choice.delta;
    if (content) out.push(...this.text(content));
    if (refusal) {
      this.refused = true;
      out.push(...this.text(refusal));
    }
    for (const call of tool_calls ?? []) out.push(...this.toolCall(call));
    if (choice.finish_reason) {
      this.finish = choice.finish_reason;
      this.stopSequence = matchedStopSequence(choice, this.stopSequences);
      out.push(...this.close());
    }
    return out;
  }

  /** Call when the canonical stream has ended: closes the message with its stop reason and usage. */
  end(): AnthropicStreamEvent[] {
    if (this.finished) return [];
    const out = this.started ? [] : [this.start(this.id, this.model, undefined)];
    out.push(...this.close());
    this.finished = true;
    const stop = stopReasonOf(this.finish ?? 'stop', this.toolBlocks.size > 0, this.refused, this.stopSequence);
    const sequence = stop === 'stop_sequence' ? (this.stopSequence ?? null) : null;
    out.push({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: sequence }, usage: toAnthropicUsage(this.usage) });
    out.push({ type: 'message_stop' });
    return out;
  }

  /** The error event that ends a stream failing after it began (before that, the answer is an HTTP error). */
  fail(err: SwitchyardError): AnthropicStreamEvent[] {
    if (this.finished) return [];
    this.finished = true;
    return [{ type: 'error', error: toAnthropicError(err).error }];
  }

  private start(id: string, model: string, usage: Usage | null | undefined): AnthropicStreamEvent {
    this.started = true;
    return {
      type: 'message_start',
      message: {
        id: anthropicIdOf(id),
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: toAnthropicUsage(usage),
      },
    };
  }

  private text(text: string): AnthropicStreamEvent[] {
    const out = this.open === 'text' ? [] : this.openBlock({ type: 'text', text: '' });
    out.push({ type: 'content_block_delta', index: this.blocks - 1, delta: { type: 'text_delta', text } });
    return out;
  }

  /**
   * A tool call's first delta opens its block. OpenAI streams one call after another; a fragment
   * for a call whose block is already closed still goes to that block's index, where clients
   * assembling by index (as Anthropic's SDKs do) put it.
   */
  private toolCall(call: ToolCallDelta): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = [];
    let index = this.toolBlocks.get(call.index);
    if (index === undefined) {
      const id = call.id || `toolu_${randomUUID().replace(/-/g, '')}`;
      out.push(...this.openBlock({ type: 'tool_use', id, name: call.function?.name ?? '', input: {} }));
      index = this.blocks - 1;
      this.toolBlocks.set(call.index, index);
    }
    const fragment = call.function?.arguments;
    if (fragment) out.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: fragment } });
    return out;
  }

  private openBlock(block: AnthropicContentBlockStartEvent['content_block']): AnthropicStreamEvent[] {
    const out = this.close();
    this.open = block.type === 'text' ? 'text' : 'tool_use';
    out.push({ type: 'content_block_start', index: this.blocks++, content_block: block });
    return out;
  }

  private close(): AnthropicStreamEvent[] {
    if (!this.open) return [];
    this.open = undefined;
    return [{ type: 'content_block_stop', index: this.blocks - 1 }];
  }
}
