import type { ChatCompletionRequest } from '@switchyard/contracts';
import { keepRawJson } from '../http/upstream-client';
import { toOpenAIChatBody } from './openai.mapper';

/** A request as the gateway's parser leaves it: parsed, carrying the text it came from. */
function parsed(text: string): ChatCompletionRequest {
  const req = JSON.parse(text) as ChatCompletionRequest;
  keepRawJson(req, text);
  return req;
}

describe('toOpenAIChatBody for a stream', () => {
  it("adds the usage ask to the client's own text when it did not ask", () => {
    const text = '{"model":"m1","stream":true,"messages":[{"role":"user","content":"x"}]}  \n';
    const body = toOpenAIChatBody(parsed(text), 'm1', true);
    expect(body).toBe('{"model":"m1","stream":true,"messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":true}}');
  });

  it.each([
    ['the backend knows the model by another id', '{"model":"chat","stream":true,"messages":[{"role":"user","content":"x"}]}', 'm1'],
    ['the text names stream_options (here as content)', '{"model":"m1","stream":true,"messages":[{"role":"user","content":"stream_options"}]}', 'm1'],
  ])('serialises anew when %s', (_what, text, model) => {
    const body = JSON.parse(toOpenAIChatBody(parsed(text), model, true)) as Record<string, unknown>;
    expect(body).toEqual({ ...JSON.parse(text), model, stream: true, stream_options: { include_usage: true } });
  });

  it('sends the text as it is when the client asked for usage itself', () => {
    const text = '{"model":"m1","stream":true,"stream_options":{"include_usage":true},"messages":[]}';
    expect(toOpenAIChatBody(parsed(text), 'm1', true)).toBe(text);
  });
});
