import { countTokens } from 'gpt-tokenizer';
import type { ChatCompletionChunk } from '@switchyard/contracts';
import { chatPromptTokens, embeddingsPromptTokens, OutputMeter } from './prompt-tokens';

describe('prompt tokens by the tokenizer', () => {
  it('counts every message, its framing, tool calls and the tools offered', () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    const plain = chatPromptTokens({ model: 'm', messages: [{ role: 'user', content: text }] });
    expect(plain).toBe(countTokens(text) + 3 + 3);
    const parts = chatPromptTokens({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text }] }] });
    expect(parts).toBe(plain);
    const tools = chatPromptTokens({
      model: 'm',
      messages: [
        { role: 'user', content: text },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
      ],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }],
    });
    expect(tools).toBeGreaterThan(plain + 3 + countTokens('{"city":"Paris"}'));
  });

  it('counts embeddings inputs: texts by the tokenizer, token ids as they are', () => {
    expect(embeddingsPromptTokens({ model: 'e', input: 'hello world' })).toBe(countTokens('hello world'));
    expect(embeddingsPromptTokens({ model: 'e', input: ['a b', 'c'] })).toBe(countTokens('a b') + countTokens('c'));
    expect(embeddingsPromptTokens({ model: 'e', input: [1, 2, 3] })).toBe(3);
    expect(embeddingsPromptTokens({ model: 'e', input: [[1, 2], [3]] })).toBe(3);
  });
});

describe('OutputMeter', () => {
  const chunk = (content: string): ChatCompletionChunk => ({
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  });

  it('counts the text relayed so far', () => {
    const meter = new OutputMeter();
    expect(meter.tokens()).toBe(0);
    for (const piece of ['Hello', ', wor', 'ld!']) meter.push(chunk(piece));
    expect(meter.tokens()).toBe(countTokens('Hello, world!'));
  });

  it('reads chunks kept as JSON text only when asked, in order, skipping what is not a chunk', () => {
    const meter = new OutputMeter();
    for (const piece of ['Hello', ', wor']) meter.pushJson(JSON.stringify(chunk(piece)));
    meter.pushJson('{"choices":[],"usage":null}');
    meter.pushJson('not json');
    meter.pushJson(JSON.stringify(chunk('ld!')));
    expect(meter.text()).toBe('Hello, world!');
    expect(meter.tokens()).toBe(countTokens('Hello, world!'));
  });
});
