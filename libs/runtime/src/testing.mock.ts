/**
 * Helpers for specs of the runtime and of both apps: a logger that keeps its lines, a poll, and
 * request features. Not built (`*.mock.ts`).
 */
import { Writable } from 'node:stream';
import type { RequestFeatures } from '@switchyard/policy';
import { createLogger, type Logger } from '@switchyard/telemetry';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A logger that keeps its lines in memory, so specs can assert on what was said. */
export function memoryLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function features(model: string, extra: Partial<RequestFeatures> = {}): RequestFeatures {
  return { model, promptTokens: 10, stream: false, tags: [], headers: {}, pii: [], ...extra };
}

/** How long a promise took to settle, and how. */
export async function timed<T>(p: Promise<T>): Promise<{ ms: number; result?: T; error?: unknown }> {
  const t0 = performance.now();
  try {
    const result = await p;
    return { ms: performance.now() - t0, result };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}
