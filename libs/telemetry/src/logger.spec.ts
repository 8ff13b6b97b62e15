import { PassThrough } from 'node:stream';
import { secretValues } from '@switchyard/contracts';
import { createLogger } from './logger';
import { requestIdFrom } from './request-id';

function capture(): { lines: () => Record<string, unknown>[]; stream: PassThrough } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('redacts credential fields and key-like strings in messages', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream });
    log.info(
      { headers: { authorization: 'Bearer sy-abcdefghijkl', 'x-api-key': 'sk-ant-12345678901' }, apiKey: 'sk-live-123456789' },
      'upstream said Incorrect API key provided: sk-proj-abcdefgh1234',
    );
    const [line] = out.lines();
    const text = JSON.stringify(line);
    expect(text).not.toMatch(/sy-abcdefghijkl|sk-ant-12345678901|sk-live-123456789|sk-proj-abcdefgh1234/);
    expect((line.headers as Record<string, string>).authorization).toBe('[REDACTED]');
    expect(line.msg).toContain('[REDACTED]');
  });
});

describe('requestIdFrom', () => {
  it.each([
    ['abc-123', 'abc-123'],
    [['first', 'second'], 'first'],
  ])('keeps a sane client id %j', (header, expected) => {
    expect(requestIdFrom(header)).toBe(expected);
  });

  it.each([[undefined], ['has spaces'], ['x'.repeat(129)], ['<script>']])('replaces %j with a fresh id', (header) => {
    expect(requestIdFrom(header)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('createLogger with configured secrets', () => {
  it('masks a configured value in any field of the line, whatever its shape', () => {
    const owner = {};
    secretValues.set(owner, ['0f1e2d3c4b5a69788796a5b4c3d2e1f0']);
    try {
      const out = capture();
      const log = createLogger({ destination: out.stream });
      log.warn({ backend: 'b', error: 'probe got 401 for key 0f1e2d3c4b5a69788796a5b4c3d2e1f0', nested: { x: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' } }, 'down');
      const [line] = out.lines();
      expect(JSON.stringify(line)).not.toContain('0f1e2d3c4b5a69788796a5b4c3d2e1f0');
      expect(line.error).toBe('probe got 401 for key [REDACTED]');
    } finally {
      secretValues.delete(owner);
    }
  });
});
