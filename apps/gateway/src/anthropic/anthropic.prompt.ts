import type { AnthropicMessagesRequest, AnthropicRequestBlock, PromptView } from '@switchyard/contracts';

/**
 * Every text the model reads in a Messages body: the system prompt, text blocks, tool calls (name
 * and input) and tool results, and the tools' definitions. The routing view and count_tokens both
 * read them here.
 */
export function* promptTexts(body: AnthropicMessagesRequest): Generator<string> {
  if (typeof body.system === 'string') yield body.system;
  else if (Array.isArray(body.system)) for (const b of body.system) yield b.text;
  for (const m of body.messages) {
    if (typeof m.content === 'string') yield m.content;
    else for (const b of m.content) yield* blockTexts(b);
  }
  for (const t of body.tools ?? []) {
    yield t.name;
    if (t.description) yield t.description;
    yield JSON.stringify(t.input_schema);
  }
}

function* blockTexts(b: AnthropicRequestBlock): Generator<string> {
  switch (b.type) {
    case 'text':
      yield b.text;
      break;
    case 'tool_use':
      yield b.name;
      yield JSON.stringify(b.input ?? {});
      break;
    case 'tool_result':
      if (typeof b.content === 'string') yield b.content;
      else for (const c of b.content ?? []) if (c.type === 'text') yield c.text;
      break;
    case 'thinking':
      yield b.thinking;
      break;
    default: // images and documents are not text; redacted thinking is opaque
  }
}

function hasImages(body: AnthropicMessagesRequest): boolean {
  for (const m of body.messages) {
    if (typeof m.content === 'string') continue;
    for (const b of m.content) {
      if (b.type === 'image' || b.type === 'document') return true;
      if (b.type === 'tool_result' && Array.isArray(b.content) && b.content.some((c) => c.type === 'image')) return true;
    }
  }
  return false;
}

/** The routing view of an Anthropic Messages request (validated at the edge). */
export function messagesPromptView(body: AnthropicMessagesRequest): PromptView {
  let chars = 0;
  // Tool definitions are counted by count_tokens, but the OpenAI view leaves them out: so does this one.
  for (const text of promptTexts({ ...body, tools: undefined })) chars += text.length;
  return {
    kind: 'chat',
    model: body.model,
    textChars: chars,
    messages: body.messages.length + (body.system ? 1 : 0),
    maxTokens: body.max_tokens,
    stream: body.stream === true,
    tools: body.tools !== undefined && body.tools.length > 0 && body.tool_choice?.type !== 'none',
    jsonMode: false,
    logprobs: false,
    images: hasImages(body),
    tokenInput: false,
    user: typeof body.metadata?.user_id === 'string' ? body.metadata.user_id : undefined,
    metadata: body.metadata,
  };
}
