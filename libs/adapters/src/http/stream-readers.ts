import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Server-sent events from a byte stream (eventsource-parser does the framing). An event, or a
 * line, that grows past `maxBytes` characters before it ends throws `tooLarge()`: a backend that
 * never ends one cannot make the gateway buffer without limit.
 */
export async function* readSse(chunks: AsyncIterable<Buffer>, maxBytes: number, tooLarge: () => Error): AsyncGenerator<EventSourceMessage> {
  const ready: EventSourceMessage[] = [];
  let overflow = false;
  const parser = createParser({
    onEvent: (event) => ready.push(event),
    onError: (err) => {
      if (err.type === 'max-buffer-size-exceeded') overflow = true;
    },
    maxBufferSize: maxBytes,
  });
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (overflow) throw tooLarge();
    for (let i = 0; i < ready.length; i++) yield ready[i];
    ready.length = 0;
  }
}

/**
 * Newline-delimited JSON values from a byte stream (Ollama's streaming format). Each chunk is
 * searched once (never the whole pending line again), and a line longer than `maxBytes`
 * characters throws `tooLarge()`.
 */
export async function* readNdjson<T>(chunks: AsyncIterable<Buffer>, maxBytes: number, tooLarge: () => Error): AsyncGenerator<T> {
  const decoder = new TextDecoder();
  let carry = '';
  for await (const chunk of chunks) {
    let from = carry.length;
    carry += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = carry.indexOf('\n', from)) >= 0) {
      const line = carry.slice(0, nl).trim();
      carry = carry.slice(nl + 1);
      from = 0;
      if (line) yield JSON.parse(line) as T;
    }
    if (carry.length > maxBytes) throw tooLarge();
  }
  const rest = (carry + decoder.decode()).trim();
  if (rest) yield JSON.parse(rest) as T;
}
