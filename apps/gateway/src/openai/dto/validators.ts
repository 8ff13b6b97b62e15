import { ValidateBy, type ValidationOptions } from 'class-validator';

/** A property-level check for unions class-validator has no decorator for. */
export function Satisfies(name: string, test: (value: unknown) => boolean, message: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name, validator: { validate: (value) => test(value), defaultMessage: () => `$property ${message}` } }, options);
}

export const isStringOrStringArray = (v: unknown): boolean => typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'));

/** Message content: a string, null, or an array of typed parts. */
export const isContent = (v: unknown): boolean =>
  v === null ||
  typeof v === 'string' ||
  (Array.isArray(v) && v.every((p) => p !== null && typeof p === 'object' && typeof (p as { type?: unknown }).type === 'string'));

/** Embeddings input: a string, strings, a token array, or token arrays. */
export const isEmbeddingInput = (v: unknown): boolean => {
  const isTokens = (a: unknown): boolean => Array.isArray(a) && a.length > 0 && a.every((n) => Number.isInteger(n));
  if (typeof v === 'string') return v.length > 0;
  if (!Array.isArray(v) || v.length === 0) return false;
  return v.every((s) => typeof s === 'string' && s.length > 0) || isTokens(v) || v.every(isTokens);
};

export const TOOL_CALLS = 'must be an array of tool calls, each with a `function` that has a string `name` (and string `arguments`)';

/** Assistant tool calls: objects whose `function` names the function (`arguments`, when given, a string). */
export const isToolCalls = (v: unknown): boolean =>
  Array.isArray(v) &&
  v.every((c) => {
    const f = c !== null && typeof c === 'object' ? (c as { function?: unknown }).function : undefined;
    if (f === null || typeof f !== 'object') return false;
    const { name, arguments: args } = f as { name?: unknown; arguments?: unknown };
    return typeof name === 'string' && (args === undefined || typeof args === 'string');
  });
