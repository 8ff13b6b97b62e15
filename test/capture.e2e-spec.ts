import OpenAI from 'openai';
import { CAPTURE_STORE, LEDGER_SINK, migrate, SqlKeyStore, SqlTenantStore, type CaptureStore, type LedgerSink } from '@switchyard/store';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../libs/store/src/sql/test-database';
import type { Database } from '../libs/store/src/sql/database';
import { CaptureWriter } from '../apps/gateway/src/ledger/capture-writer';
import { ADMIN_KEY, startStack, TEST_SERVER_SECRET, type Stack } from './support/stack';

// Request capture: a tenant that opts in (privacy.capture) has its requests' and answers' bodies
// kept beside their ledger records, personal data replaced by the detectors' placeholders; a
// tenant that does not has nothing kept.

describe(`request capture (${testDatabaseName})`, () => {
  let db: Database;
  let stack: Stack;
  let store: CaptureStore;
  let writer: CaptureWriter;
  const keys: Record<'keeps' | 'plain', string> = { keeps: '', plain: '' };
  const tenantIds: Record<'keeps' | 'plain', string> = { keeps: '', plain: '' };

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db);
    const tenants = new SqlTenantStore(db);
    const apiKeys = new SqlKeyStore(db, TEST_SERVER_SECRET);
    for (const [k, privacy] of [
      ['keeps', { capture: true }],
      ['plain', undefined],
    ] as const) {
      const t = await tenants.create({ name: `capture-${k}`, privacy });
      tenantIds[k] = t.id;
      keys[k] = (await apiKeys.create(t.id, { name: 'test' }))!.key;
    }
    stack = await startStack({ database: db, backends: [{ name: 'local', protocol: 'openai', models: ['m'] }] });
    store = stack.app.get<CaptureStore>(CAPTURE_STORE);
    writer = stack.app.get(CaptureWriter);
  });

  afterAll(async () => {
    await stack?.close();
    if (db) await closeTestDatabase(db);
  });

  const client = (k: keyof typeof keys) => new OpenAI({ baseURL: stack.baseURL, apiKey: keys[k], maxRetries: 0 });

  it('keeps an opted-in tenant’s request and answer with personal data replaced', async () => {
    const { data, response } = await client('keeps')
      .chat.completions.create(
        { model: 'm', messages: [{ role: 'user', content: 'Mail jane.doe@example.com the plan' }] },
        { headers: { 'x-request-id': 'capture-plain-1' } },
      )
      .withResponse();
    expect(response.status).toBe(200);
    // The fake echoes the prompt, so the answer carries the address too.
    expect(data.choices[0].message.content).toContain('jane.doe@example.com');
    await writer.flush();
    const kept = await store.read('capture-plain-1', tenantIds.keeps);
    expect(kept).toBeDefined();
    const text = JSON.stringify(kept);
    expect(text).not.toContain('jane.doe@example.com');
    expect(kept!.request).toMatchObject({ model: 'm', messages: [{ role: 'user', content: 'Mail [EMAIL_1] the plan' }] });
    expect((kept!.response as { choices: { message: { content: string } }[] }).choices[0].message.content).toMatch(/\[EMAIL_1\]/);

    // The admin API shows it with the request's ledger record.
    await stack.app.get<LedgerSink>(LEDGER_SINK).flush();
    const res = await fetch(`${stack.url}/admin/v1/requests/capture-plain-1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(res.status).toBe(200);
    const record = (await res.json()) as { tenant_id: string; capture: { request: unknown; response: unknown } };
    expect(record.tenant_id).toBe(tenantIds.keeps);
    expect(record.capture).toEqual({ request: kept!.request, response: kept!.response });
    expect(JSON.stringify(record)).not.toContain('jane.doe@example.com');
  });

  it('keeps a stream’s answer as the text it relayed', async () => {
    const stream = await client('keeps').chat.completions.create(
      { model: 'm', stream: true, messages: [{ role: 'user', content: 'call +1 415 555 0100 today' }] },
      { headers: { 'x-request-id': 'capture-stream-1' } },
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toContain('415');
    await writer.flush();
    const kept = await store.read('capture-stream-1');
    expect(kept?.response).toEqual({ text: expect.stringMatching(/\[PHONE_1\]/) as string });
    expect(JSON.stringify(kept)).not.toMatch(/555 ?0100/);
  });

  it('keeps an Anthropic client’s request as it sent it, in its own dialect', async () => {
    const res = await fetch(`${stack.baseURL}/messages`, {
      method: 'POST',
      headers: { 'x-api-key': keys.keeps, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-request-id': 'capture-anthropic-1' },
      body: JSON.stringify({ model: 'm', max_tokens: 50, messages: [{ role: 'user', content: 'Mail jane.doe@example.com' }] }),
    });
    expect(res.status).toBe(200);
    await writer.flush();
    const kept = await store.read('capture-anthropic-1');
    expect(kept?.request).toEqual({ model: 'm', max_tokens: 50, messages: [{ role: 'user', content: 'Mail [EMAIL_1]' }] });
  });

  it('keeps nothing for a tenant that did not opt in', async () => {
    await client('plain').chat.completions.create(
      { model: 'm', messages: [{ role: 'user', content: 'hello' }] },
      { headers: { 'x-request-id': 'capture-none-1' } },
    );
    await writer.flush();
    expect(await store.read('capture-none-1')).toBeUndefined();
    await stack.app.get<LedgerSink>(LEDGER_SINK).flush();
    const res = await fetch(`${stack.url}/admin/v1/requests/capture-none-1`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(((await res.json()) as { capture: unknown }).capture).toBeNull();
  });
});
