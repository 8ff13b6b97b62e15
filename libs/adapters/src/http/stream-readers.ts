import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Server-sent events from a byte stream (eventsource-parser does the framing). */
export async function* readSse(chunks: AsyncIterable<Buffer>): AsyncGenerator<EventSourceMessage> {
  const ready: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => ready.push(event) });
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    for (let i = 0; i < ready.length; i++) yield ready[i];
    ready.length = 0;
  }
}

/** Newline-delimited JSON values from a byte stream (Ollama's streaming format). */
export async function* readNdjson<T>(chunks: AsyncIterable<Buffer>): AsyncGenerator<T> {
  const decoder = new TextDecoder();
  let carry = '';
  for await (const chunk of chunks) {
    carry += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = carry.indexOf('\n')) >= 0) {
      const line = carry.slice(0, nl).trim();
      carry = carry.slice(nl + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  const rest = (carry + decoder.decode()).trim();
  if (rest) yield JSON.parse(rest) as T;
}
