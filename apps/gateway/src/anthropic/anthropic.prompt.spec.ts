import type { AnthropicMessagesRequest } from '@switchyard/contracts';
import { messagesPromptView, promptTexts } from './anthropic.prompt';

const body: AnthropicMessagesRequest = {
  model: 'chat',
  max_tokens: 100,
  system: [{ type: 'text', text: 'Be brief.' }],
  messages: [
    { role: 'user', content: 'Weather?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'get_weather', input: { city: 'Paris' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'sunny' }] }] },
  ],
  tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } }],
  metadata: { user_id: 'u' },
};

describe('the Anthropic prompt', () => {
  it('reads every text the model reads: system, texts, tool calls, tool results, tool definitions', () => {
    expect([...promptTexts(body)]).toEqual([
      'Be brief.',
      'Weather?',
      'get_weather',
      '{"city":"Paris"}',
      'sunny',
      'get_weather',
      'Weather',
      '{"type":"object"}',
    ]);
  });

  it('gives the routing view: texts without tool definitions, messages with the system prompt, tools, images', () => {
    const chars = ['Be brief.', 'Weather?', 'get_weather', '{"city":"Paris"}', 'sunny'].join('').length;
    expect(messagesPromptView(body)).toEqual({
      kind: 'chat',
      model: 'chat',
      textChars: chars,
      messages: 4,
      maxTokens: 100,
      stream: false,
      tools: true,
      jsonMode: false,
      logprobs: false,
      images: false,
      tokenInput: false,
      user: 'u',
      metadata: { user_id: 'u' },
    });
    expect(messagesPromptView({ ...body, tool_choice: { type: 'none' } }).tools).toBe(false);
    const image = { type: 'image' as const, source: { type: 'url' as const, url: 'https://example.com/a.png' } };
    expect(messagesPromptView({ ...body, messages: [{ role: 'user', content: [image] }] }).images).toBe(true);
    expect(messagesPromptView({ ...body, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [image] }] }] }).images).toBe(
      true,
    );
  });
});
