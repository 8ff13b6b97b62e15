import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import type { RequestOutcome } from '@switchyard/contracts';
import { LEDGER_SINK, USAGE_QUERY, type LedgerSink, type UsageQuery } from '@switchyard/store';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../libs/store/src/sql/test-database';
import type { Database } from '../libs/store/src/sql/database';
import { ADMIN_KEY, postJson, readSseData, startStack, type Stack } from './support/stack';

// The usage ledger end to end: every request sent through a real gateway leaves exactly one
// record, whatever happened to it, with the tokens the fake backend reported (or that Switchyard
// counted when it reported none) and the cost by the config's prices.

const CLOUD_PRICE = { input: 3, output: 15 };
const usd = (input: number, output: number) => (input * CLOUD_PRICE.input + output * CLOUD_PRICE.output) / 1e6;

describe(`the usage ledger (${testDatabaseName})`, () => {
  let db: Database;
  let stack: Stack;
  let sink: LedgerSink;
  let query: UsageQuery;
  const run = randomUUID().slice(0, 8);
  let n = 0;
  const id = (what: string) => `ledger-${run}-${what}-${++n}`;

  beforeAll(async () => {
    db = await openTestDatabase();
    stack = await startStack({
      database: db,
      backends: [
        { name: 'local', protocol: 'openai', tier: 'local', models: ['small'], fake: { interChunkMs: 0 } },
        { name: 'flaky', protocol: 'openai', tier: 'local', models: ['small'] },
        { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['big'], price: CLOUD_PRICE },
        { name: 'gone', protocol: 'openai', tier: 'local', models: ['small'], down: true },
      ],
      models: [
        {
          name: 'chat',
          targets: [
            { backend: 'local', model: 'small' },
            { backend: 'cloud', model: 'big' },
          ],
        },
        {
          name: 'fallback',
          targets: [
            { backend: 'flaky', model: 'small' },
            { backend: 'cloud', model: 'big' },
          ],
        },
        { name: 'nowhere', targets: [{ backend: 'gone', model: 'small' }] },
        { name: 'cloud', targets: [{ backend: 'cloud', model: 'big' }] },
      ],
      policy: { breaker: { minRequests: 1000 } },
    });
    sink = stack.app.get<LedgerSink>(LEDGER_SINK);
    query = stack.app.get<UsageQuery>(USAGE_QUERY);
  });

  afterAll(async () => {
    await stack?.close();
    if (db) await closeTestDatabase(db);
  });

  /** The ledger's records of a request id, once everything queued is written. */
  async function recordsOf(requestId: string): Promise<RequestOutcome[]> {
    await sink.flush();
    const page = await query.requests({ limit: 1000, since: new Date(Date.now() - 3_600_000) });
    return page.data.filter((r) => r.requestId === requestId);
  }

  /** The one record of a request id; fails when there are none or several. */
  async function recordOf(requestId: string): Promise<RequestOutcome> {
    const records = await recordsOf(requestId);
    expect(records).toHaveLength(1);
    return records[0];
  }

  it('keeps a non-streamed answer with the backend-reported tokens, cost by the price, and savings against the cloud', async () => {
    const rid = id('plain');
    const res = await postJson(
      stack,
      { model: 'chat', messages: [{ role: 'user', content: 'hello ledger' }], user: 'end-user-7' },
      { 'x-request-id': rid, 'x-switchyard-tags': 'team-a,batch' },
    );
    const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    expect(res.status).toBe(200);
    const r = await recordOf(rid);
    expect(r).toMatchObject({
      requestId: rid,
      endpoint: '/v1/chat/completions',
      model: 'chat',
      backend: 'local',
      tier: 'local',
      status: 200,
      streamed: false,
      inputTokens: body.usage.prompt_tokens,
      outputTokens: body.usage.completion_tokens,
      costUsd: 0,
      user: 'end-user-7',
      tags: ['team-a', 'batch'],
      principal: { tenantId: 'admin' },
    });
    expect(r.tokensCounted).toBeFalsy();
    // Served locally: the reference is the chain's cloud target at its price.
    expect(r.referenceCostUsd).toBeCloseTo(usd(body.usage.prompt_tokens, body.usage.completion_tokens), 12);
    expect(r.attempts).toEqual([expect.objectContaining({ backend: 'local', outcome: 'ok', status: 200 })]);
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(Math.abs(r.startedAt - Date.now())).toBeLessThan(60_000);
  });

  it('keeps a cloud answer at its own cost, which is also its reference', async () => {
    const rid = id('cloud');
    const res = await postJson(stack, { model: 'cloud', messages: [{ role: 'user', content: 'to the cloud' }] }, { 'x-request-id': rid });
    const { usage } = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const r = await recordOf(rid);
    expect(r).toMatchObject({ backend: 'cloud', tier: 'cloud', inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens });
    expect(r.costUsd).toBeCloseTo(usd(usage.prompt_tokens, usage.completion_tokens), 12);
    expect(r.referenceCostUsd).toBe(r.costUsd);
  });

  it('keeps a stream with the usage its backend reported, and its time to first token', async () => {
    const rid = id('stream');
    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: ADMIN_KEY, maxRetries: 0 });
    const stream = await client.chat.completions.create(
      { model: 'chat', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream to the ledger' }] },
      { headers: { 'x-request-id': rid } },
    );
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    const r = await recordOf(rid);
    expect(r).toMatchObject({ streamed: true, status: 200, backend: 'local', inputTokens: usage!.prompt_tokens, outputTokens: usage!.completion_tokens });
    expect(r.ttftMs).toBeGreaterThanOrEqual(0);
    expect(r.tokensCounted).toBeFalsy();
  });

  it('counts the tokens itself when a backend streams without usage', async () => {
    const chunk = (content: string) =>
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'small', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
    stack.fakes.local.setFault({
      mode: 'raw',
      times: 1,
      headers: { 'content-type': 'text/event-stream' },
      body: `${chunk('one two three ')}${chunk('four five')}data: [DONE]\n\n`,
    });
    const rid = id('nousage');
    const res = await postJson(stack, { model: 'chat', stream: true, messages: [{ role: 'user', content: 'count me please' }] }, { 'x-request-id': rid });
    expect((await readSseData(res)).at(-1)).toBe('[DONE]');
    const r = await recordOf(rid);
    expect(r.tokensCounted).toBe(true);
    // o200k_base: "one two three four five" is five tokens; the prompt is counted with its framing.
    expect(r.outputTokens).toBe(5);
    expect(r.inputTokens).toBeGreaterThan(3);
  });

  it('keeps a fallback with every attempt, and the backend that answered', async () => {
    stack.fakes.flaky.setFault({ mode: 'error', status: 500, times: 1 });
    const rid = id('fallback');
    const res = await postJson(stack, { model: 'fallback', messages: [{ role: 'user', content: 'fall back' }] }, { 'x-request-id': rid });
    expect(res.status).toBe(200);
    const r = await recordOf(rid);
    expect(r).toMatchObject({ backend: 'cloud', tier: 'cloud', status: 200 });
    expect(r.attempts.map((a) => [a.backend, a.outcome === 'ok'])).toEqual([
      ['flaky', false],
      ['cloud', true],
    ]);
    expect(r.costUsd).toBeGreaterThan(0);
  });

  it('keeps a request no backend answered, with its error code and nothing charged', async () => {
    const rid = id('failed');
    const res = await postJson(stack, { model: 'nowhere', messages: [{ role: 'user', content: 'anyone?' }] }, { 'x-request-id': rid });
    expect(res.status).toBeGreaterThanOrEqual(500);
    const r = await recordOf(rid);
    expect(r.status).toBe(res.status);
    expect(r.errorCode).toBeDefined();
    expect(r.attempts.length).toBeGreaterThan(0);
    expect(r).toMatchObject({ costUsd: 0, referenceCostUsd: 0 });
  });

  it('keeps a refused request: an unknown model, and a caller with no valid key', async () => {
    const unknown = id('unknown');
    expect((await postJson(stack, { model: 'nope', messages: [{ role: 'user', content: 'x' }] }, { 'x-request-id': unknown })).status).toBe(404);
    expect(await recordOf(unknown)).toMatchObject({ status: 404, errorCode: 'model_not_found', model: 'nope', costUsd: 0 });
    const anonymous = id('anonymous');
    const res = await fetch(`${stack.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-sy-not-a-key', 'content-type': 'application/json', 'x-request-id': anonymous },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(401);
    const r = await recordOf(anonymous);
    expect(r.status).toBe(401);
    expect(r.principal).toBeUndefined();
  });

  it('keeps a stream the client left, as 499 with the prompt and what was relayed, counted', async () => {
    stack.fakes.local.setOptions({ interChunkMs: 40, reply: Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ') });
    try {
      const rid = id('abort');
      const res = await postJson(
        stack,
        { model: 'chat', stream: true, messages: [{ role: 'user', content: 'a long answer please' }] },
        { 'x-request-id': rid },
      );
      const reader = res.body!.getReader();
      await reader.read();
      await reader.read();
      await reader.cancel();
      // The record is made when the gateway sees the connection close.
      let records: RequestOutcome[] = [];
      for (let i = 0; i < 50 && records.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        records = await recordsOf(rid);
      }
      expect(records).toHaveLength(1);
      const r = records[0];
      expect(r).toMatchObject({ status: 499, errorCode: 'client_closed', streamed: true, tokensCounted: true });
      expect(r.outputTokens).toBeGreaterThan(0);
      expect(r.outputTokens).toBeLessThan(60 * 3);
      expect(r.inputTokens).toBeGreaterThan(0);
    } finally {
      stack.fakes.local.setOptions({ interChunkMs: 0, reply: undefined });
    }
  });

  it('holds exactly one record per request under concurrent mixed traffic', async () => {
    const sent: string[] = [];
    const jobs = Array.from({ length: 40 }, (_, i) => {
      const rid = id(`mixed${i}`);
      sent.push(rid);
      const body =
        i % 4 === 3
          ? { model: 'nope', messages: [{ role: 'user', content: 'x' }] }
          : { model: 'chat', stream: i % 2 === 0, messages: [{ role: 'user', content: `mixed ${i}` }] };
      return postJson(stack, body, { 'x-request-id': rid }).then((r) => r.text());
    });
    await Promise.all(jobs);
    await sink.flush();
    const page = await query.requests({ limit: 1000, since: new Date(Date.now() - 3_600_000) });
    const kept = page.data.filter((r) => sent.includes(r.requestId)).map((r) => r.requestId);
    expect(kept.sort()).toEqual([...sent].sort());
  });
});
