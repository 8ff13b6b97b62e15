import type { PipeTransform } from '@nestjs/common';
import { InvalidRequestError } from '@switchyard/contracts';

// Anthropic's Messages request rules, as straight-line checks (the hot path, like the OpenAI door's
// compiled validators). A problem is answered as Anthropic does: `<field path>: <what is wrong>`
// with a 400 invalid_request_error. Fields Switchyard does not read are left alone.

/** The first problem found: the field (`messages.0.content.1.text`) and what is wrong with it. */
export type Problem = [param: string, message: string];

const BLOCKS = new Set(['text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking']);
const TOOL_CHOICES = new Set(['auto', 'any', 'tool', 'none']);
const THINKING = new Set(['enabled', 'disabled', 'adaptive']);

const absent = (v: unknown): boolean => v === undefined || v === null;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string';

function number(body: Record<string, unknown>, key: string, min: number, max: number, integer: boolean): Problem | undefined {
  const v = body[key];
  if (absent(v)) return undefined;
  if (integer ? !Number.isInteger(v) : typeof v !== 'number' || !Number.isFinite(v))
    return [key, integer ? 'Input should be a valid integer' : 'Input should be a valid number'];
  if ((v as number) < min) return [key, `Input should be greater than or equal to ${min}`];
  if ((v as number) > max) return [key, `Input should be less than or equal to ${max}`];
  return undefined;
}

function source(s: unknown, at: string): Problem | undefined {
  if (!isObject(s)) return [`${at}.source`, 'Field required'];
  if (s.type === 'base64') {
    if (!isText(s.media_type)) return [`${at}.source.media_type`, 'Field required'];
    if (!isText(s.data)) return [`${at}.source.data`, 'Field required'];
    return undefined;
  }
  if (s.type === 'url') return isText(s.url) ? undefined : [`${at}.source.url`, 'Field required'];
  return [`${at}.source.type`, "Input should be 'base64' or 'url'"];
}

function block(b: unknown, at: string, inToolResult: boolean): Problem | undefined {
  if (!isObject(b)) return [at, 'Input should be a valid dictionary'];
  if (typeof b.type !== 'string' || !BLOCKS.has(b.type) || (inToolResult && b.type !== 'text' && b.type !== 'image')) {
    return [`${at}.type`, `Input tag '${String(b.type)}' found using 'type' does not match any of the expected tags`];
  }
  switch (b.type) {
    case 'text':
      return isText(b.text) ? undefined : [`${at}.text`, 'Field required'];
    case 'image':
    case 'document':
      return source(b.source, at);
    case 'tool_use':
      if (!isText(b.id)) return [`${at}.id`, 'Field required'];
      if (!isText(b.name)) return [`${at}.name`, 'Field required'];
      return isObject(b.input) ? undefined : [`${at}.input`, 'Input should be a valid dictionary'];
    case 'tool_result':
      if (!isText(b.tool_use_id)) return [`${at}.tool_use_id`, 'Field required'];
      if (!absent(b.is_error) && typeof b.is_error !== 'boolean') return [`${at}.is_error`, 'Input should be a valid boolean'];
      return absent(b.content) || isText(b.content) ? undefined : blocks(b.content, `${at}.content`, true);
    case 'thinking':
      return isText(b.thinking) ? undefined : [`${at}.thinking`, 'Field required'];
    default: // redacted_thinking
      return isText(b.data) ? undefined : [`${at}.data`, 'Field required'];
  }
}

function blocks(list: unknown, at: string, inToolResult = false): Problem | undefined {
  if (!Array.isArray(list)) return [at, 'Input should be a valid list'];
  for (let i = 0; i < list.length; i++) {
    const problem = block(list[i], `${at}.${i}`, inToolResult);
    if (problem) return problem;
  }
  return undefined;
}

function message(m: unknown, i: number): Problem | undefined {
  const at = `messages.${i}`;
  if (!isObject(m)) return [at, 'Input should be a valid dictionary'];
  if (m.role !== 'user' && m.role !== 'assistant') return [`${at}.role`, "Input should be 'user' or 'assistant'"];
  if (absent(m.content)) return [`${at}.content`, 'Field required'];
  return isText(m.content) ? undefined : blocks(m.content, `${at}.content`);
}

function system(s: unknown): Problem | undefined {
  if (absent(s) || isText(s)) return undefined;
  if (!Array.isArray(s)) return ['system', 'Input should be a valid string or a list of text blocks'];
  for (let i = 0; i < s.length; i++) {
    const b: unknown = s[i];
    if (!isObject(b) || b.type !== 'text') return [`system.${i}.type`, "Input should be 'text'"];
    if (!isText(b.text)) return [`system.${i}.text`, 'Field required'];
  }
  return undefined;
}

function tools(list: unknown): Problem | undefined {
  if (absent(list)) return undefined;
  if (!Array.isArray(list)) return ['tools', 'Input should be a valid list'];
  for (let i = 0; i < list.length; i++) {
    const t: unknown = list[i];
    if (!isObject(t)) return [`tools.${i}`, 'Input should be a valid dictionary'];
    if (!isText(t.name) || t.name.length === 0) return [`tools.${i}.name`, 'Field required'];
    if (!isObject(t.input_schema)) return [`tools.${i}.input_schema`, 'Field required'];
    if (!absent(t.description) && !isText(t.description)) return [`tools.${i}.description`, 'Input should be a valid string'];
  }
  return undefined;
}

function toolChoice(c: unknown): Problem | undefined {
  if (absent(c)) return undefined;
  if (!isObject(c) || typeof c.type !== 'string' || !TOOL_CHOICES.has(c.type)) return ['tool_choice.type', "Input should be 'auto', 'any', 'tool' or 'none'"];
  if (c.type === 'tool' && !isText(c.name)) return ['tool_choice.name', 'Field required'];
  if (!absent(c.disable_parallel_tool_use) && typeof c.disable_parallel_tool_use !== 'boolean') {
    return ['tool_choice.disable_parallel_tool_use', 'Input should be a valid boolean'];
  }
  return undefined;
}

function thinking(t: unknown, maxTokens: unknown): Problem | undefined {
  if (absent(t)) return undefined;
  if (!isObject(t) || typeof t.type !== 'string' || !THINKING.has(t.type)) return ['thinking.type', "Input should be 'enabled', 'disabled' or 'adaptive'"];
  if (t.type !== 'enabled') return undefined;
  if (!Number.isInteger(t.budget_tokens) || (t.budget_tokens as number) < 1024)
    return ['thinking.budget_tokens', 'Input should be greater than or equal to 1024'];
  if (typeof maxTokens === 'number' && (t.budget_tokens as number) >= maxTokens) return ['thinking.budget_tokens', 'must be less than max_tokens'];
  return undefined;
}

/**
 * Checks a `/v1/messages` body (`countTokens`: a `/v1/messages/count_tokens` body, which has no
 * `max_tokens` nor sampling fields).
 */
export function checkMessagesRequest(body: Record<string, unknown>, countTokens = false): Problem | undefined {
  if (!isText(body.model) || body.model.length === 0) return ['model', 'Field required'];
  if (!Array.isArray(body.messages)) return ['messages', 'Field required'];
  if (body.messages.length === 0) return ['messages', 'List should have at least 1 item'];
  for (let i = 0; i < body.messages.length; i++) {
    const problem = message(body.messages[i], i);
    if (problem) return problem;
  }
  const common = system(body.system) ?? tools(body.tools) ?? toolChoice(body.tool_choice) ?? thinking(body.thinking, body.max_tokens);
  if (common || countTokens) return common;
  if (absent(body.max_tokens)) return ['max_tokens', 'Field required'];
  const problem =
    number(body, 'max_tokens', 1, Number.MAX_SAFE_INTEGER, true) ??
    number(body, 'temperature', 0, 1, false) ??
    number(body, 'top_p', 0, 1, false) ??
    number(body, 'top_k', 0, Number.MAX_SAFE_INTEGER, true);
  if (problem) return problem;
  if (!absent(body.stream) && typeof body.stream !== 'boolean') return ['stream', 'Input should be a valid boolean'];
  if (!absent(body.stop_sequences) && !(Array.isArray(body.stop_sequences) && body.stop_sequences.every(isText))) {
    return ['stop_sequences', 'Input should be a valid list of strings'];
  }
  const meta = body.metadata;
  if (!absent(meta) && !(isObject(meta) && (absent(meta.user_id) || isText(meta.user_id)))) return ['metadata.user_id', 'Input should be a valid string'];
  return undefined;
}

/** Validates a Messages (or count_tokens) body in place: the plain object the client sent flows on. */
export class AnthropicValidationPipe implements PipeTransform {
  constructor(private readonly countTokens = false) {}

  transform(value: unknown): unknown {
    if (!isObject(value)) throw new InvalidRequestError('The request body must be a JSON object.');
    const problem = checkMessagesRequest(value, this.countTokens);
    if (problem) throw new InvalidRequestError(`${problem[0]}: ${problem[1]}`, problem[0]);
    return value;
  }
}
