import { request } from 'node:http';
import { CallAbort } from '@switchyard/adapters';
import { ChainExecutor } from '../apps/gateway/src/routing/chain-executor.service';
import { PlacementService } from '../apps/gateway/src/routing/placement.service';
import { ADMIN_KEY, inferenceCalls, postJson, startStack, type Stack } from './support/stack';

// Odd or hostile client input: a clear 400 naming the field, never a 500, and never a mark
// against a healthy backend.

type OpenAIErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } };

const user = { role: 'user', content: 'hi' };

/** `{"a":{"a":...}}` nested `depth` levels below the field. */
function nested(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

describe('a client sending deeply nested JSON', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      backends: [
        { name: 'local', protocol: 'ollama', tier: 'local', models: ['llama3.2'] },
        { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['gpt'] },
      ],
      models: [
        {
          name: 'chat',
          targets: [
            { backend: 'local', model: 'llama3.2' },
            { backend: 'cloud', model: 'gpt' },
          ],
        },
      ],
      policy: { breaker: { minRequests: 5, failureRate: 0.5 } },
    });
  });
  afterAll(() => stack.close());

  /** Sends the text as it is (postJson would serialise a value). */
  const postText = (body: string): Promise<Response> =>
    fetch(`${stack.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body });
  const deepBody = (depth: number): string =>
    `{"model":"chat","messages":[{"role":"user","content":"hi"}],"metadata":{"note":"{{[[ not structure"},"response_format":${nested(depth)}}`;

  it('gets 400 naming the field, before anything is parsed or sent', async () => {
    const res = await postText(deepBody(4_500));
    expect(res.status).toBe(400);
    const err = (await res.json()) as OpenAIErrorBody;
    expect(err.error).toMatchObject({ type: 'invalid_request_error', param: 'response_format', code: 'nesting_too_deep' });
    expect(err.error.message).toContain('nested deeper than 64 levels');
    expect(inferenceCalls(stack.fakes.local)).toHaveLength(0);
  });

  it('cannot open a healthy backend’s circuit and push traffic to the cloud', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await postText(deepBody(4_500));
      expect(res.status).toBe(400);
    }
    const res = await postJson(stack, { model: 'chat', messages: [user] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-backend')).toBe('local');
    expect(stack.logs().filter((l) => String(l.msg).startsWith('circuit'))).toEqual([]);
  });

  it('a failure on the gateway’s own side frees the slot without marking the backend', async () => {
    const chain = stack.app.get(ChainExecutor);
    const placement = stack.app.get(PlacementService);
    const features = { keyId: 'admin', model: 'chat', promptTokens: 1, stream: false, tags: [], headers: {}, pii: [] };
    for (let i = 0; i < 6; i++) {
      const ctx = { requestId: `own-${i}`, startedAt: performance.now(), signal: new CallAbort(), deadlineAt: performance.now() + 5_000, upstreamMs: 0 };
      // What an overflowing serialiser or a bug throws: not an UpstreamError.
      await expect(chain.run(features, ctx, () => Promise.reject(new RangeError('Maximum call stack size exceeded')))).rejects.toThrow(RangeError);
    }
    expect(placement.registry.backend('local')).toMatchObject({ inFlight: 0, breaker: 'closed' });
    const res = await postJson(stack, { model: 'chat', messages: [user] });
    expect(res.headers.get('x-switchyard-backend')).toBe('local');
  });

  it('accepts nesting within the bound, brackets inside strings not counted', async () => {
    const res = await postText(deepBody(60));
    expect(res.status).toBe(200);
  });
});

describe('tool calls of the wrong shape', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      backends: [{ name: 'local', protocol: 'openai', models: ['m1'] }],
      models: [{ name: 'chat', targets: [{ backend: 'local', model: 'm1' }] }],
    });
  });
  afterAll(() => stack.close());

  it.each([
    ['a null call', [null]],
    ['a number', [5]],
    ['a null function', [{ id: 't', type: 'function', function: null }]],
    ['a call without a name', [{ id: 't', type: 'function', function: { arguments: '{}' } }]],
    ['arguments that are not a string', [{ id: 't', type: 'function', function: { name: 'f', arguments: 7 } }]],
  ])('%s is a 400 naming the field, on chat and on route/explain', async (_what, toolCalls) => {
    const body = { model: 'chat', messages: [user, { role: 'assistant', content: null, tool_calls: toolCalls }] };
    for (const path of ['/chat/completions', '/route/explain']) {
      const res = await postJson(stack, body, {}, path);
      expect(res.status).toBe(400);
      const err = (await res.json()) as OpenAIErrorBody;
      expect(err.error.param).toBe('messages[1].tool_calls');
      expect(err.error.type).toBe('invalid_request_error');
    }
  });

  it('well-formed tool calls still go through', async () => {
    const body = {
      model: 'chat',
      messages: [user, { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }] }],
    };
    const res = await postJson(stack, body, {}, '/route/explain');
    expect(res.status).toBe(200);
  });
});

describe('a streaming client that sends Connection: close', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ backends: [{ name: 'local', protocol: 'openai', models: ['m1'] }] });
  });
  afterAll(() => stack.close());

  it('gets Connection: close and the connection closed after the stream', async () => {
    const body = JSON.stringify({ model: 'm1', stream: true, messages: [user] });
    const { port } = new URL(stack.url);
    const seen = await new Promise<{ connection?: string; text: string; closed: boolean }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/chat/completions',
          method: 'POST',
          agent: false,
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', connection: 'close', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            const timer = setTimeout(() => resolve({ connection: res.headers.connection, text, closed: false }), 2_000);
            const done = (): void => {
              clearTimeout(timer);
              resolve({ connection: res.headers.connection, text, closed: true });
            };
            if (res.socket.destroyed) done();
            else res.socket.once('close', done);
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(seen.text).toContain('data: [DONE]');
    expect(seen.connection).toBe('close');
    expect(seen.closed).toBe(true);
  });
});
