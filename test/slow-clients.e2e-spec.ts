import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { ADMIN_KEY, postJson, startStack, type Stack } from './support/stack';

// Clients that hold connections without finishing a request: each gets 408 once the request
// timeout passes, and one address cannot hold more than its share before authenticating.

const REQUEST_TIMEOUT_MS = 600;
const PER_ADDRESS = 3;

interface Ended {
  text: string;
  ms: number;
}

const POST_HEAD = 'POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n';

/**
 * Sends `head` (by default a POST's headers), then `byte` every 150 ms (40 at most, never the
 * whole body). Resolves with what came back once the gateway closes the connection, or after 4 s.
 */
function trickle(stack: Stack, head = POST_HEAD, byte = ' '): { ended: Promise<Ended>; connected: Promise<void> } {
  const giveUpMs = 4_000;
  const { port } = new URL(stack.url);
  const socket = connect(Number(port), '127.0.0.1');
  const t0 = performance.now();
  let text = '';
  let timer: NodeJS.Timeout | undefined;
  const connected = new Promise<void>((resolve) => socket.once('connect', resolve));
  const ended = new Promise<Ended>((resolve) => {
    const done = (): void => {
      clearInterval(timer);
      clearTimeout(stop);
      socket.destroy();
      resolve({ text, ms: performance.now() - t0 });
    };
    const stop = setTimeout(done, giveUpMs);
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('error', () => undefined);
    socket.once('close', done);
    socket.once('connect', () => {
      socket.write(head);
      let sent = 0;
      timer = setInterval(() => {
        if (sent++ >= 40 || socket.destroyed) clearInterval(timer);
        else socket.write(byte);
      }, 150);
    });
  });
  return { ended, connected };
}

describe('slow and idle clients', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      backends: [{ name: 'local', protocol: 'openai', models: ['m1'] }],
      server: { requestTimeoutMs: REQUEST_TIMEOUT_MS, unauthenticatedConnectionsPerAddress: PER_ADDRESS },
    });
  });
  afterAll(() => stack.close());

  it('a body trickled a byte at a time gets 408 and the connection is closed', async () => {
    const { text, ms } = await trickle(stack).ended;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
  });

  it('headers sent a byte at a time get 408 too', async () => {
    const { text, ms } = await trickle(stack, 'POST /v1/chat/completions HTTP/1.1\r\nx-slow: ', 'x').ended;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
  });

  it('an address holding its share of unauthenticated connections is refused more, until they end', async () => {
    const held = [trickle(stack), trickle(stack), trickle(stack)];
    await Promise.all(held.map((h) => h.connected));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await trickle(stack).ended;
    expect(refused.text).toMatch(/^HTTP\/1\.1 429 /);
    expect(refused.text).toContain('"code":"too_many_connections"');
    expect(refused.ms).toBeLessThan(REQUEST_TIMEOUT_MS);

    for (const h of held) expect((await h.ended).text).toMatch(/^HTTP\/1\.1 408 /);
    const res = await postJson(stack, { model: 'm1', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(200);
  });

  it('connections whose requests authenticated do not count against it', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: PER_ADDRESS });
    const { port } = new URL(stack.url);
    const body = JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'hi' }] });
    const ask = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            agent,
            method: 'POST',
            path: '/v1/chat/completions',
            headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      expect(await Promise.all([ask(), ask(), ask()])).toEqual([200, 200, 200]);
      // Three authenticated keep-alive connections stay open; three unauthenticated ones still fit.
      const held = [trickle(stack), trickle(stack), trickle(stack)];
      for (const h of held) expect((await h.ended).text).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      agent.destroy();
    }
  });
});
