import { InvalidRequestError } from '@switchyard/contracts';
import { AnthropicValidationPipe, checkMessagesRequest } from './messages.validator';

const base = { model: 'chat', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };

describe('checkMessagesRequest', () => {
  it.each([
    ['a plain message', base],
    [
      'system blocks, every content block kind and every option',
      {
        ...base,
        system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Look' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'hmm', signature: 'sig' },
              { type: 'redacted_thinking', data: 'xyz' },
              { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '42' }], is_error: false }] },
        ],
        tools: [{ name: 'f', description: 'A tool', input_schema: { type: 'object' } }],
        tool_choice: { type: 'tool', name: 'f', disable_parallel_tool_use: true },
        thinking: { type: 'enabled', budget_tokens: 1024 },
        max_tokens: 2048,
        temperature: 1,
        top_p: 0.9,
        top_k: 40,
        stop_sequences: ['END'],
        stream: true,
        metadata: { user_id: 'u-1' },
      },
    ],
  ])('accepts %s', (_name, body) => {
    expect(checkMessagesRequest(body as Record<string, unknown>)).toBeUndefined();
  });

  it.each([
    [{ ...base, model: '' }, 'model'],
    [{ ...base, messages: undefined }, 'messages'],
    [{ ...base, messages: [] }, 'messages'],
    [{ ...base, max_tokens: undefined }, 'max_tokens'],
    [{ ...base, max_tokens: 1.5 }, 'max_tokens'],
    [{ ...base, temperature: 2 }, 'temperature'],
    [{ ...base, top_p: -1 }, 'top_p'],
    [{ ...base, top_k: 'x' }, 'top_k'],
    [{ ...base, stream: 'yes' }, 'stream'],
    [{ ...base, stop_sequences: [1] }, 'stop_sequences'],
    [{ ...base, metadata: { user_id: 5 } }, 'metadata.user_id'],
    [{ ...base, system: 5 }, 'system'],
    [{ ...base, system: [{ type: 'image' }] }, 'system.0.type'],
    [{ ...base, messages: ['Hi'] }, 'messages.0'],
    [{ ...base, messages: [{ role: 'system', content: 'x' }] }, 'messages.0.role'],
    [{ ...base, messages: [{ role: 'user' }] }, 'messages.0.content'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file' } }] }] }, 'messages.0.content.0.source.type'],
    [
      { ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png' } }] }] },
      'messages.0.content.0.source.data',
    ],
    [{ ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: 'x' }] }] }, 'messages.0.content.0.input'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'tool_result' }] }] }, 'messages.0.content.0.tool_use_id'],
    [
      { ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'tool_use' }] }] }] },
      'messages.0.content.0.content.0.type',
    ],
    [{ ...base, tools: {} }, 'tools'],
    [{ ...base, tools: [{ name: 'f' }] }, 'tools.0.input_schema'],
    [{ ...base, tool_choice: { type: 'some' } }, 'tool_choice.type'],
    [{ ...base, thinking: { type: 'enabled', budget_tokens: 100 } }, 'thinking.budget_tokens'],
    [{ ...base, thinking: { type: 'enabled', budget_tokens: 2048 } }, 'thinking.budget_tokens'],
  ])('%j: names %s', (body, param) => {
    expect(checkMessagesRequest(body as Record<string, unknown>)?.[0]).toBe(param);
  });

  it('count_tokens bodies need no max_tokens, and their sampling fields are not read', () => {
    expect(checkMessagesRequest({ model: 'chat', messages: base.messages }, true)).toBeUndefined();
    expect(checkMessagesRequest({ model: 'chat', messages: [] }, true)?.[0]).toBe('messages');
  });
});

describe('AnthropicValidationPipe', () => {
  it("throws Anthropic's `<field>: <problem>` as a 400 naming the field, and passes the body on untouched", () => {
    const pipe = new AnthropicValidationPipe();
    expect(() => pipe.transform({ model: 'chat', messages: base.messages })).toThrow(
      expect.objectContaining({ status: 400, message: 'max_tokens: Field required', param: 'max_tokens' }) as InvalidRequestError,
    );
    expect(() => pipe.transform([])).toThrow(InvalidRequestError);
    expect(pipe.transform(base)).toBe(base);
  });
});
