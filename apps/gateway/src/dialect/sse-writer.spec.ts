import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { SseWriter } from './sse-writer';

/** A real HTTP server whose one route writes `events` through an SseWriter; the client reads them with a real SSE parser. */
async function roundTrip(write: (sse: SseWriter) => Promise<void>): Promise<{ headers: Headers; events: EventSourceMessage[] }> {
  const server: Server = createServer((_req, res) => {
    const sse = new SseWriter(res);
    sse.open({ 'x-switchyard-backend': 'local' });
    void write(sse).then(() => sse.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const events: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (e) => events.push(e) });
    parser.feed(await res.text());
    return { headers: res.headers, events };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('SseWriter', () => {
  it("writes OpenAI's bare data events and Anthropic's named ones, in order, with the stream's headers", async () => {
    const { headers, events } = await roundTrip(async (sse) => {
      await sse.data('{"n":1}');
      await sse.event('content_block_delta', '{"type":"content_block_delta"}');
      await sse.data('[DONE]');
    });
    expect(headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(headers.get('x-switchyard-backend')).toBe('local');
    expect(events.map((e) => [e.event, e.data])).toEqual([
      [undefined, '{"n":1}'],
      ['content_block_delta', '{"type":"content_block_delta"}'],
      [undefined, '[DONE]'],
    ]);
  });

  it('writes a payload with line breaks as several data lines, which a client reads back whole', async () => {
    const payload = '{\n  "type": "ping"\n}';
    const { events } = await roundTrip(async (sse) => {
      await sse.event('ping', payload);
      await sse.data(payload);
    });
    expect(events.map((e) => [e.event, e.data])).toEqual([
      ['ping', payload],
      [undefined, payload],
    ]);
  });

  it('loses nothing when events outrun the socket buffer (writes wait for drain)', async () => {
    const big = 'x'.repeat(64 * 1024);
    const { events } = await roundTrip(async (sse) => {
      for (let i = 0; i < 64; i++) await sse.event('ping', `${i}:${big}`);
    });
    expect(events).toHaveLength(64);
    expect(events.every((e, i) => e.event === 'ping' && e.data === `${i}:${big}`)).toBe(true);
  });
});
