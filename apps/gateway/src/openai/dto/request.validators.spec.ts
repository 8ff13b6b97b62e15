import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { firstProblem } from '../openai-validation.pipe';
import { ChatCompletionRequestDto } from './chat-completion.dto';
import { EmbeddingsRequestDto } from './embeddings.dto';
import { checkChatRequest, checkEmbeddingsRequest } from './request.validators';

// The compiled checks must accept and reject exactly what the DTOs do, naming the same field.

function viaDto(dto: new () => object, body: Record<string, unknown>): string | undefined {
  const errors = validateSync(plainToInstance<object, Record<string, unknown>>(dto, body), { stopAtFirstError: true, forbidUnknownValues: false });
  return errors.length === 0 ? undefined : firstProblem(errors)[0];
}

const ok = { model: 'chat', messages: [{ role: 'user', content: 'hi' }] };
const badValues: unknown[] = ['x', '', 0, -1, 1.5, 3, 129, NaN, Infinity, true, [], [1], ['a'], {}, { a: 1 }, null];

const chatFields = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'n',
  'stop',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'tools',
  'parallel_tool_calls',
  'response_format',
  'logprobs',
  'top_logprobs',
  'user',
];
const messageFields = ['role', 'content', 'name', 'tool_call_id', 'tool_calls'];

const chatCases: Record<string, unknown>[] = [
  ok,
  { ...ok, messages: [1] },
  {
    ...ok,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'image_url', image_url: { url: 'x' } },
        ],
      },
    ],
  },
  {
    ...ok,
    messages: [
      { role: 'assistant', content: null, tool_calls: [] },
      { role: 'tool', tool_call_id: 'c', content: 'r' },
    ],
  },
  { ...ok, stream_options: { include_usage: 'yes' } },
  { ...ok, unknown_field: { kept: true } },
  ...chatFields.flatMap((f) => badValues.map((v) => ({ ...ok, [f]: v }))),
  ...messageFields.flatMap((f) => badValues.map((v) => ({ ...ok, messages: [{ role: 'user', content: 'a', [f]: v }] }))),
];

describe('checkChatRequest agrees with ChatCompletionRequestDto', () => {
  it.each(chatCases.map((c) => [JSON.stringify(c), c]))('%s', (_name, body) => {
    expect(checkChatRequest(body)?.[0]).toBe(viaDto(ChatCompletionRequestDto, body));
  });
});

const embOk = { model: 'embed', input: 'hello' };
const embCases: Record<string, unknown>[] = [
  embOk,
  { ...embOk, input: ['a', 'b'] },
  { ...embOk, input: [1, 2, 3] },
  { ...embOk, input: [[1, 2], [3]] },
  { ...embOk, encoding_format: 'base64' },
  ...['model', 'input', 'encoding_format', 'dimensions', 'user'].flatMap((f) => badValues.map((v) => ({ ...embOk, [f]: v }))),
];

describe('checkEmbeddingsRequest agrees with EmbeddingsRequestDto', () => {
  it.each(embCases.map((c) => [JSON.stringify(c), c]))('%s', (_name, body) => {
    expect(checkEmbeddingsRequest(body)?.[0]).toBe(viaDto(EmbeddingsRequestDto, body));
  });
});
