/** A small HTTP client for fake-llm's specs: stream frame reading, SSE parsing, requests per protocol. */
import type { FakeLlm, FakeProtocol } from './fake-llm.server';

export interface Frame {
  at: number;
  text: string;
}

/** Reads a streamed body split on `sep` ("\n\n" for SSE, "\n" for NDJSON), timestamping each frame. */
export class FrameReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly dec = new TextDecoder();
  private buf = '';
  private readonly queue: Frame[] = [];
  private done = false;

  constructor(
    res: Response,
    private readonly sep: string,
  ) {
    if (!res.body) throw new Error('no body');
    this.reader = res.body.getReader();
  }

  async next(): Promise<Frame | undefined> {
    while (this.queue.length === 0) {
      if (this.done) return undefined;
      const r = await this.reader.read();
      const at = performance.now();
      if (r.done) {
        this.done = true;
        if (this.buf.trim() !== '') this.queue.push({ at, text: this.buf });
        this.buf = '';
        continue;
      }
      this.buf += this.dec.decode(r.value, { stream: true });
      let i: number;
      while ((i = this.buf.indexOf(this.sep)) >= 0) {
        const text = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + this.sep.length);
        if (text !== '') this.queue.push({ at, text });
      }
    }
    return this.queue.shift();
  }

  async all(): Promise<Frame[]> {
    const out: Frame[] = [];
    for (;;) {
      const f = await this.next();
      if (f === undefined) return out;
      out.push(f);
    }
  }

  /** Frames until the stream errors; returns what arrived plus the error. */
  async untilError(): Promise<{ frames: Frame[]; error: unknown }> {
    const frames: Frame[] = [];
    try {
      for (;;) {
        const f = await this.next();
        if (f === undefined) return { frames, error: undefined };
        frames.push(f);
      }
    } catch (error) {
      return { frames, error };
    }
  }
}

export interface SseEvent {
  at: number;
  event: string | undefined;
  data: string;
}

export function parseSse(frames: Frame[]): SseEvent[] {
  return frames.map((f) => {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of f.text.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    return { at: f.at, event, data: data.join('\n') };
  });
}

// Response bodies are inspected loosely in assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
export const asJson = (v: unknown): Json => v;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function post(fake: FakeLlm, path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${fake.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

export function get(fake: FakeLlm, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fake.origin}${path}`, { headers });
}

/** Minimal JSON body per protocol for an inference request. */
export function chatBody(protocol: FakeProtocol, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const messages = [{ role: 'user', content: 'hello world' }];
  if (protocol === 'anthropic') return { model: 'fake-model', max_tokens: 64, messages, ...extra };
  return { model: 'fake-model', messages, ...extra };
}

export const CHAT_PATH: Record<FakeProtocol, string> = { openai: '/v1/chat/completions', ollama: '/api/chat', anthropic: '/v1/messages' };
export const MODELS_PATH: Record<FakeProtocol, string> = { openai: '/v1/models', ollama: '/api/tags', anthropic: '/v1/models' };
export const ANTHROPIC_HEADERS = { 'anthropic-version': '2023-06-01' };
