import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { AnthropicStreamDecoder } from '@switchyard/adapters';
import { UpstreamError, type ChatCompletionChunk } from '@switchyard/contracts';
import type { AnswerStream, StreamSink } from '../dialect/responder';
import { AnthropicResponder } from './anthropic.responder';

// The responder over real HTTP: a Fastify route streams what a scripted AnswerStream relays, a
// real SSE parser reads it.

type Step = ChatCompletionChunk | { waitMs: number } | { fail: UpstreamError };

/** A placed stream that relays `steps` to the sink, as ChatService's does: chunks, then end (or fail), then close. */
function scripted(script: Step[]): AnswerStream {
  const steps = script.map((step) => ('object' in step ? { chunk: step } : step));
  return {
    headers: { 'x-switchyard-backend': 'b' },
    async pipe(sink: StreamSink) {
      try {
        for (const step of steps) {
          if ('waitMs' in step) await new Promise((resolve) => setTimeout(resolve, step.waitMs));
          else if ('fail' in step) return await sink.fail(step.fail);
          else await sink.chunk(step.chunk);
        }
        await sink.end();
      } finally {
        sink.close();
      }
    },
  };
}

let app: FastifyInstance;
let url: string;
let next: { responder: AnthropicResponder; stream: AnswerStream };

beforeAll(async () => {
  app = Fastify();
  app.post('/', (_req, reply) => next.responder.stream(reply, next.stream, { model: 'asked' }));
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => app.close());

async function streamed(stream: AnswerStream, responder = new AnthropicResponder()): Promise<{ text: string; events: EventSourceMessage[] }> {
  next = { responder, stream };
  const res = await fetch(url, { method: 'POST' });
  expect(res.headers.get('x-switchyard-backend')).toBe('b');
  const text = await res.text();
  const events: EventSourceMessage[] = [];
  createParser({ onEvent: (e) => events.push(e) }).feed(text);
  return { text, events };
}

const wire = JSON.parse(readFileSync(join(__dirname, '../../../../libs/adapters/src/anthropic/fixtures/stream-thinking.json'), 'utf8')) as {
  event: string;
  data: unknown;
}[];
const wireText = wire.map((e) => `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`).join('');

/** The chunks an Anthropic adapter yields for an Anthropic client: each carries the event it was read from. */
function relayed(): ChatCompletionChunk[] {
  const decoder = new AnthropicStreamDecoder('claude', 'claude-x', 1_700_000_000, true);
  return wire.flatMap((e) => decoder.push(JSON.stringify(e.data), e.event));
}

const plain = (delta: ChatCompletionChunk['choices'][0]['delta'], finish: 'stop' | null = null): ChatCompletionChunk => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'gpt-x',
  choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
});

describe('AnthropicResponder.stream', () => {
  it("relays chunks carrying an Anthropic backend's events as they came, byte for byte, thinking and all", async () => {
    const { text } = await streamed(scripted(relayed()));
    expect(text).toBe(wireText);
  });

  it('ends a relayed stream that fails midway with an error event', async () => {
    const fail = new UpstreamError({ backend: 'b', failure: 'network', message: 'Backend b ended the stream before message_stop.' });
    const { text, events } = await streamed(scripted([...relayed().slice(0, 3), { fail }]));
    expect(text.startsWith(wireText.split('\n\n').slice(0, 3).join('\n\n'))).toBe(true);
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'error']);
    expect(JSON.parse(events[3].data)).toEqual({ type: 'error', error: { type: 'api_error', message: fail.message } });
  });

  it('encodes canonical chunks itself, with a ping right after message_start', async () => {
    const { events } = await streamed(scripted([plain({ role: 'assistant', content: '' }), plain({ content: 'Hi' }), plain({}, 'stop')]));
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[1].data).toBe('{"type":"ping"}');
    expect(JSON.parse(events[0].data)).toMatchObject({ message: { model: 'gpt-x' } });
  });

  it('pings a stream that stays silent, relayed or encoded', async () => {
    const responder = new AnthropicResponder(40);
    const [start, ...rest] = relayed();
    const quiet = (await streamed(scripted([start, { waitMs: 400 }, ...rest]), responder)).events.map((e) => e.event);
    // The backend's events all arrive, in order, with the door's pings in the silence after the first.
    expect(quiet.filter((e) => e !== 'ping')).toEqual(wire.map((e) => e.event));
    const silence = quiet.indexOf('content_block_start') - 1;
    expect(quiet.slice(1, 1 + silence).every((e) => e === 'ping')).toBe(true);
    // About ten in 400 ms at one per 40 ms; a loaded machine fires timers late (a full run saw one
    // in 200 ms), never early: the lower bound only asks that pings keep coming.
    expect(silence).toBeGreaterThanOrEqual(2);
    expect(silence).toBeLessThanOrEqual(10);

    const encoded = (await streamed(scripted([plain({ content: 'a' }), { waitMs: 400 }, plain({}, 'stop')]), responder)).events;
    const pings = encoded.filter((e) => e.event === 'ping').length;
    // The one after message_start, then those of the silence.
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(pings).toBeLessThanOrEqual(11);
  });
});
