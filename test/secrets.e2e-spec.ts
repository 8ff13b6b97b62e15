import { postJson, startStack, type Stack } from './support/stack';

// A provider that echoes its own key in an error: the key is plain hex, a shape no pattern knows.

const HEX_KEY = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

describe('configured secret values', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      backends: [
        {
          name: 'leaky',
          protocol: 'openai',
          tier: 'cloud',
          models: ['m1'],
          apiKey: HEX_KEY,
          // Probes fail too, so the "backend is down" lines carry the echo as well.
          fake: { fault: { mode: 'error', status: 500, message: 'Internal error for key', echoKey: true } },
        },
      ],
      policy: { health: { intervalMs: 100, failuresToDown: 1 } },
    });
  });
  afterAll(() => stack.close());

  it('never reach the client or a log line, whichever way the upstream echoes them', async () => {
    const res = await postJson(stack, { model: 'm1', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(502);
    const body = await res.text();
    // A 5xx's own text stays in the log (redacted there, checked below); the client reads the status.
    expect(body).toContain('answered 500');
    expect(body).not.toContain(HEX_KEY);

    // As a client error it is passed on as the upstream said it; still masked.
    stack.fakes.leaky.setFault({ mode: 'error', status: 401, message: 'Incorrect API key provided', echoKey: true });
    const unauthorised = await postJson(stack, { model: 'm1', stream: true, messages: [{ role: 'user', content: 'x' }] });
    expect(unauthorised.status).toBe(401);
    const text = await unauthorised.text();
    expect(text).toContain('Incorrect API key provided');
    expect(text).not.toContain(HEX_KEY);

    // The upstream really did echo it: the fake saw the key, so the masking above did something.
    expect(stack.fakes.leaky.requests.some((r) => r.headers.authorization === `Bearer ${HEX_KEY}`)).toBe(true);
    const lines = stack.logs();
    expect(lines.some((l) => JSON.stringify(l).includes('[REDACTED]'))).toBe(true);
    for (const line of lines) expect(JSON.stringify(line)).not.toContain(HEX_KEY);
  });
});
