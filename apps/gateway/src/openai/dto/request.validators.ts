import { isContent, isEmbeddingInput, isStringOrStringArray, isToolCalls, TOOL_CALLS } from './validators';

// The DTOs' rules, compiled by hand into straight-line checks. The DTOs stay the contract (and
// feed Swagger); class-transformer + class-validator cost a fifth of the gateway's CPU per
// request, so the hot path runs these instead. request.validators.spec.ts proves both agree.

/** The first problem found: the field (`messages[0].role`) and what is wrong with it. */
export type Problem = [param: string, message: string];

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);
const ENCODINGS = new Set(['float', 'base64']);

const absent = (v: unknown): boolean => v === undefined || v === null;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function number(body: Record<string, unknown>, key: string, min: number, max: number, integer: boolean): Problem | undefined {
  const v = body[key];
  if (absent(v)) return undefined;
  if (integer ? !Number.isInteger(v) : !isNumber(v)) return [key, integer ? 'must be an integer number' : 'must be a number'];
  if ((v as number) < min) return [key, `must not be less than ${min}`];
  if ((v as number) > max) return [key, `must not be greater than ${max}`];
  return undefined;
}

function type(body: Record<string, unknown>, key: string, kind: 'string' | 'boolean'): Problem | undefined {
  const v = body[key];
  if (absent(v) || typeof v === kind) return undefined;
  return [key, kind === 'string' ? 'must be a string' : 'must be a boolean value'];
}

function message(m: unknown, i: number): Problem | undefined {
  const at = `messages[${i}]`;
  if (!isObject(m)) return [at, 'must be an object with a `role`'];
  if (typeof m.role !== 'string' || !ROLES.has(m.role)) return [`${at}.role`, `must be one of the following values: ${[...ROLES].join(', ')}`];
  if (!absent(m.content) && !isContent(m.content)) return [`${at}.content`, 'must be a string, null, or an array of content parts with a `type`'];
  if (!absent(m.name) && typeof m.name !== 'string') return [`${at}.name`, 'must be a string'];
  if (!absent(m.tool_call_id) && typeof m.tool_call_id !== 'string') return [`${at}.tool_call_id`, 'must be a string'];
  if (!absent(m.tool_calls) && !isToolCalls(m.tool_calls)) return [`${at}.tool_calls`, TOOL_CALLS];
  return undefined;
}

/** ChatCompletionRequestDto's rules, in its field order. */
export function checkChatRequest(b: Record<string, unknown>): Problem | undefined {
  if (typeof b.model !== 'string') return ['model', 'must be a string'];
  if (b.model.length === 0) return ['model', 'should not be empty'];
  const messages = b.messages;
  if (!Array.isArray(messages)) return ['messages', 'must be an array'];
  if (messages.length === 0) return ['messages', 'must contain at least 1 elements'];
  for (let i = 0; i < messages.length; i++) {
    const p = message(messages[i], i);
    if (p) return p;
  }
  let p: Problem | undefined;
  if ((p = type(b, 'stream', 'boolean'))) return p;
  if (!absent(b.stream_options)) {
    if (!isObject(b.stream_options)) return ['stream_options', 'must be an object'];
    if ((p = type(b.stream_options, 'include_usage', 'boolean'))) return ['stream_options.include_usage', p[1]];
  }
  if ((p = number(b, 'temperature', 0, 2, false))) return p;
  if ((p = number(b, 'top_p', 0, 1, false))) return p;
  if ((p = number(b, 'max_tokens', 1, Infinity, true))) return p;
  if ((p = number(b, 'max_completion_tokens', 1, Infinity, true))) return p;
  if ((p = number(b, 'n', 1, 128, true))) return p;
  if (!absent(b.stop) && !isStringOrStringArray(b.stop)) return ['stop', 'must be a string or an array of strings'];
  if ((p = number(b, 'seed', -Infinity, Infinity, true))) return p;
  if ((p = number(b, 'presence_penalty', -2, 2, false))) return p;
  if ((p = number(b, 'frequency_penalty', -2, 2, false))) return p;
  if (!absent(b.tools) && !Array.isArray(b.tools)) return ['tools', 'must be an array'];
  if ((p = type(b, 'parallel_tool_calls', 'boolean'))) return p;
  if (!absent(b.response_format) && !isObject(b.response_format)) return ['response_format', 'must be an object'];
  if ((p = type(b, 'logprobs', 'boolean'))) return p;
  if ((p = number(b, 'top_logprobs', 0, 20, true))) return p;
  return type(b, 'user', 'string');
}

/** EmbeddingsRequestDto's rules, in its field order. */
export function checkEmbeddingsRequest(b: Record<string, unknown>): Problem | undefined {
  if (typeof b.model !== 'string') return ['model', 'must be a string'];
  if (b.model.length === 0) return ['model', 'should not be empty'];
  if (!isEmbeddingInput(b.input)) return ['input', 'must be a non-empty string, array of strings, or array of token arrays'];
  if (!absent(b.encoding_format) && !ENCODINGS.has(b.encoding_format as string))
    return ['encoding_format', 'must be one of the following values: float, base64'];
  let p: Problem | undefined;
  if ((p = number(b, 'dimensions', 1, Infinity, true))) return p;
  return type(b, 'user', 'string');
}
