import { PassThrough } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseConfig } from '@switchyard/contracts';
import { startFakeLlm, type FakeLlm } from '@switchyard/fake-llm';
import { migrate, SqlKeyStore, SqlTenantStore, type Database } from '@switchyard/store';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '@switchyard/store/sql/test-database';
import { createLogger } from '@switchyard/telemetry';
import { createGateway } from '../apps/gateway/src/gateway.factory';
import { ADMIN_KEY, CLOUD_TEST_KEY, inferenceCalls } from './support/stack';

// What a tenant's key may use and where its prompts may go, end to end: tenants and keys in a
// real database, the gateway over real HTTP, fake backends that record what reached them.

const SERVER_SECRET = 'access-test-server-secret-0123456789';
/** Shapes no pattern knows (not `sk-…`): only masking by value keeps them out of logs. */
const GAMMA_PROVIDER_KEY = 'gamma0own0provider0key0a1b2c3d4e5f6';
const CLIENT_PROVIDER_KEY = 'client0passthrough0key0f6e5d4c3b2a1';
const PII = 'Please write to jane.doe@example.com about the invoice.';

describe(`tenant access on ${testDatabaseName}`, () => {
  let db: Database;
  let app: NestFastifyApplication;
  let url: string;
  const fakes: Record<string, FakeLlm> = {};
  const lines: string[] = [];
  const keys: Record<'acme' | 'beta' | 'gamma', string> = { acme: '', beta: '', gamma: '' };
  const tenantIds: Record<string, string> = {};

  beforeAll(async () => {
    for (const name of ['local', 'cloud', 'byo']) fakes[name] = await startFakeLlm({ protocol: 'openai', models: ['m', 'e'] });
    const config = parseConfig(
      JSON.stringify({
        backends: [
          { name: 'local', protocol: 'openai', baseUrl: fakes.local.baseUrl, tier: 'local', models: ['m', 'e'] },
          { name: 'cloud', protocol: 'openai', baseUrl: fakes.cloud.baseUrl, tier: 'cloud', apiKey: CLOUD_TEST_KEY, models: ['m'] },
          // No key of its own: callers bring theirs.
          { name: 'byo', protocol: 'openai', baseUrl: fakes.byo.baseUrl, tier: 'cloud', allowClientKey: true, models: ['m'] },
        ],
        models: [
          {
            name: 'chat',
            targets: [
              { backend: 'cloud', model: 'm' },
              { backend: 'local', model: 'm' },
            ],
          },
          { name: 'chat-local', targets: [{ backend: 'local', model: 'm' }] },
          { name: 'beta-model', targets: [{ backend: 'cloud', model: 'm' }] },
          { name: 'embed', targets: [{ backend: 'local', model: 'e' }] },
          { name: 'byo-chat', targets: [{ backend: 'byo', model: 'm' }] },
        ],
        policy: { strategy: 'cloud-first', rules: [{ name: 'beta-stays-local', match: { tenant: 'beta', model: 'chat' }, action: { tier: 'local' } }] },
      }),
      {},
      'access-test',
    );

    db = await openTestDatabase();
    await migrate(db);
    const tenants = new SqlTenantStore(db);
    const apiKeys = new SqlKeyStore(db, SERVER_SECRET);
    const specs = {
      acme: { name: 'acme', allowedModels: ['chat*'], privacy: { onPii: 'local-only' as const } },
      beta: { name: 'beta', allowedModels: ['beta-*', 'chat'] },
      gamma: { name: 'gamma' },
    };
    for (const [k, spec] of Object.entries(specs) as [keyof typeof specs, (typeof specs)[keyof typeof specs]][]) {
      const t = await tenants.create(spec);
      tenantIds[k] = t.id;
      keys[k] = (await apiKeys.create(t.id, { name: 'test' }))!.key;
    }

    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => lines.push(...c.toString().split('\n').filter(Boolean)));
    app = await createGateway({
      config,
      adminKey: ADMIN_KEY,
      logger: createLogger({ destination: sink, level: 'info' }),
      database: db,
      serverSecret: SERVER_SECRET,
    });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all(Object.values(fakes).map((f) => f.close()));
    if (db) await closeTestDatabase(db);
  });
  afterEach(() => Object.values(fakes).forEach((f) => f.reset()));

  const call = (key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const chat = (key: string, model: string, content = 'hello', headers: Record<string, string> = {}) =>
    call(key, 'POST', '/v1/chat/completions', { model, messages: [{ role: 'user', content }] }, headers);
  const modelIds = async (key: string): Promise<string[]> =>
    ((await (await call(key, 'GET', '/v1/models')).json()) as { data: { id: string }[] }).data.map((m) => m.id).sort();
  /** The key the last inference call to a fake carried. */
  const lastKey = (fake: FakeLlm): string | undefined => {
    const auth = inferenceCalls(fake).at(-1)?.headers.authorization;
    return typeof auth === 'string' ? auth.replace(/^Bearer /, '') : undefined;
  };
  const putCredential = (key: string, tenant: string, backend: string, apiKey: unknown) =>
    call(key, 'PUT', `/admin/v1/tenants/${tenant}/credentials/${backend}`, { apiKey });

  describe('model allow-lists', () => {
    it('lists only the models a key may use; the admin key sees all', async () => {
      expect(await modelIds(keys.acme)).toEqual(['chat', 'chat-local']);
      expect(await modelIds(keys.beta)).toEqual(['beta-model', 'chat']);
      expect(await modelIds(keys.gamma)).toEqual(expect.arrayContaining(['beta-model', 'byo-chat', 'chat', 'chat-local', 'embed']));
      expect(await modelIds(ADMIN_KEY)).toEqual(await modelIds(keys.gamma));
    });

    it("never shows tenant A another tenant's models, and answers them exactly as models that do not exist", async () => {
      /** Status and body with the model name taken out: what tells two refusals apart. */
      const refusal = async (res: Promise<Response>, model: string) => {
        const r = await res;
        return { status: r.status, body: (await r.text()).split(model).join('<model>') };
      };
      const cases: [string, (model: string) => Promise<Response>][] = [
        ['retrieve', (m) => call(keys.acme, 'GET', `/v1/models/${m}`)],
        ['chat', (m) => chat(keys.acme, m)],
        ['stream', (m) => call(keys.acme, 'POST', '/v1/chat/completions', { model: m, stream: true, messages: [{ role: 'user', content: 'hi' }] })],
        ['embeddings', (m) => call(keys.acme, 'POST', '/v1/embeddings', { model: m, input: 'hi' })],
        ['route explain', (m) => call(keys.acme, 'POST', '/v1/route/explain', { model: m, messages: [{ role: 'user', content: 'hi' }] })],
      ];
      for (const [what, send] of cases) {
        const hidden = await refusal(send(what === 'embeddings' ? 'embed' : 'beta-model'), what === 'embeddings' ? 'embed' : 'beta-model');
        const unknown = await refusal(send('no-such-model'), 'no-such-model');
        expect({ what, ...hidden }).toEqual({ what, ...unknown });
        expect(hidden.status).toBe(404);
        expect(JSON.parse(hidden.body)).toMatchObject({ error: { code: 'model_not_found', param: 'model' } });
      }
      // Anthropic's door answers in its own shape, the same way for a hidden model and a missing one.
      const anthropicCases: [string, (model: string) => Promise<Response>][] = [
        ['messages', (m) => call(keys.acme, 'POST', '/v1/messages', { model: m, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })],
        ['count_tokens', (m) => call(keys.acme, 'POST', '/v1/messages/count_tokens', { model: m, messages: [{ role: 'user', content: 'hi' }] })],
      ];
      for (const [what, send] of anthropicCases) {
        const hidden = await refusal(send('beta-model'), 'beta-model');
        const unknown = await refusal(send('no-such-model'), 'no-such-model');
        expect({ what, ...hidden }).toEqual({ what, ...unknown });
        expect(hidden.status).toBe(404);
        expect(JSON.parse(hidden.body)).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      }
      expect(inferenceCalls(fakes.cloud)).toHaveLength(0);
      expect(inferenceCalls(fakes.local)).toHaveLength(0);
      // The same model is there for a key allowed it.
      expect((await call(keys.beta, 'GET', '/v1/models/beta-model')).status).toBe(200);
      expect((await chat(keys.beta, 'beta-model')).status).toBe(200);
    });
  });

  describe("a tenant's privacy stance", () => {
    it('keeps a local-only tenant’s personal data off the cloud, while another tenant’s goes there under the config', async () => {
      // Without personal data, acme goes cloud-first like anyone: it is the stance that keeps it local.
      const plain = await chat(keys.acme, 'chat');
      expect(plain.headers.get('x-switchyard-tier')).toBe('cloud');
      fakes.cloud.reset();

      const kept = await chat(keys.acme, 'chat', PII);
      expect(kept.status).toBe(200);
      expect(kept.headers.get('x-switchyard-tier')).toBe('local');
      expect(inferenceCalls(fakes.cloud)).toHaveLength(0);
      expect(JSON.stringify(inferenceCalls(fakes.local).at(-1)?.body)).toContain('jane.doe@example.com');

      const free = await chat(keys.gamma, 'chat', PII);
      expect(free.headers.get('x-switchyard-tier')).toBe('cloud');
      expect(JSON.stringify(inferenceCalls(fakes.cloud).at(-1)?.body)).toContain('jane.doe@example.com');
    });

    it('explains the stance in route explain', async () => {
      const res = await call(keys.acme, 'POST', '/v1/route/explain', { model: 'chat', messages: [{ role: 'user', content: PII }] });
      const explained = (await res.json()) as { privacy: { action: string }; candidates: { backend: string }[] };
      expect(explained.privacy.action).toBe('local-only');
      expect(explained.candidates.map((c) => c.backend)).toEqual(['local']);
    });
  });

  it('routes by rules on the tenant (match.tenant, by name)', async () => {
    const beta = await chat(keys.beta, 'chat');
    expect(beta.headers.get('x-switchyard-route')).toBe('beta-stays-local');
    expect(beta.headers.get('x-switchyard-tier')).toBe('local');
    const gamma = await chat(keys.gamma, 'chat');
    expect(gamma.headers.get('x-switchyard-route')).toBe('model:chat');
    expect(gamma.headers.get('x-switchyard-tier')).toBe('cloud');
  });

  describe("a tenant's own provider key", () => {
    it('is set by the admin key, shown only as a hint, and refused to tenant keys and for unknown tenants or backends', async () => {
      const set = await putCredential(ADMIN_KEY, tenantIds.gamma, 'cloud', GAMMA_PROVIDER_KEY);
      const text = await set.text();
      expect(set.status).toBe(200);
      expect(JSON.parse(text)).toEqual({ tenantId: tenantIds.gamma, backend: 'cloud', hint: '…e5f6', updatedAt: expect.any(String) });
      expect(text).not.toContain(GAMMA_PROVIDER_KEY);

      expect((await putCredential(keys.gamma, tenantIds.gamma, 'cloud', GAMMA_PROVIDER_KEY)).status).toBe(403);
      expect((await putCredential(ADMIN_KEY, 'tnt_nobody', 'cloud', GAMMA_PROVIDER_KEY)).status).toBe(404);
      expect((await putCredential(ADMIN_KEY, tenantIds.gamma, 'no-such-backend', GAMMA_PROVIDER_KEY)).status).toBe(404);
      const bad = await putCredential(ADMIN_KEY, tenantIds.gamma, 'cloud', 'has a space');
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('apiKey');
    });

    it("reaches the backend on the tenant's requests only, and stops when cleared", async () => {
      await putCredential(ADMIN_KEY, tenantIds.gamma, 'cloud', GAMMA_PROVIDER_KEY);
      expect((await chat(keys.gamma, 'chat')).status).toBe(200);
      expect(lastKey(fakes.cloud)).toBe(GAMMA_PROVIDER_KEY);
      // The same backend, other callers: the backend's own key.
      await chat(keys.beta, 'beta-model');
      expect(lastKey(fakes.cloud)).toBe(CLOUD_TEST_KEY);
      await chat(ADMIN_KEY, 'chat');
      expect(lastKey(fakes.cloud)).toBe(CLOUD_TEST_KEY);
      const carried = inferenceCalls(fakes.cloud).filter((r) => JSON.stringify(r.headers).includes(GAMMA_PROVIDER_KEY));
      expect(carried).toHaveLength(1);
      // Only for the backend it was set for.
      await chat(keys.gamma, 'chat-local');
      expect(lastKey(fakes.local)).toBeUndefined();

      const cleared = await call(ADMIN_KEY, 'DELETE', `/admin/v1/tenants/${tenantIds.gamma}/credentials/cloud`);
      expect(cleared.status).toBe(204);
      expect((await call(ADMIN_KEY, 'DELETE', `/admin/v1/tenants/${tenantIds.gamma}/credentials/cloud`)).status).toBe(404);
      await chat(keys.gamma, 'chat');
      expect(lastKey(fakes.cloud)).toBe(CLOUD_TEST_KEY);
    });
  });

  describe('client-key passthrough', () => {
    it("forwards the client's key to a backend that allows it, and to no other", async () => {
      const res = await chat(keys.gamma, 'byo-chat', 'hello', { 'x-switchyard-provider-key': CLIENT_PROVIDER_KEY });
      expect(res.status).toBe(200);
      expect(lastKey(fakes.byo)).toBe(CLIENT_PROVIDER_KEY);
      await chat(keys.gamma, 'beta-model', 'hello', { 'x-switchyard-provider-key': CLIENT_PROVIDER_KEY });
      expect(lastKey(fakes.cloud)).toBe(CLOUD_TEST_KEY);
      expect(JSON.stringify(inferenceCalls(fakes.cloud))).not.toContain(CLIENT_PROVIDER_KEY);
    });

    it('keeps the key out of error bodies when the backend echoes it', async () => {
      fakes.byo.setFault({ mode: 'error', status: 401, echoKey: true, message: 'Incorrect API key' });
      const res = await chat(keys.gamma, 'byo-chat', 'hello', { 'x-switchyard-provider-key': CLIENT_PROVIDER_KEY });
      const body = await res.text();
      expect(res.status).toBe(401);
      expect(lastKey(fakes.byo)).toBe(CLIENT_PROVIDER_KEY);
      expect(body).toContain('Incorrect API key');
      expect(body).not.toContain(CLIENT_PROVIDER_KEY);
    });
  });

  it('never writes a tenant key, a provider key or the admin key to the log', async () => {
    // Errors that quote what a backend said are logged too.
    await putCredential(ADMIN_KEY, tenantIds.gamma, 'cloud', GAMMA_PROVIDER_KEY);
    fakes.cloud.setFault({ mode: 'error', status: 500, echoKey: true });
    expect((await chat(keys.gamma, 'beta-model')).status).toBe(502);
    await call(ADMIN_KEY, 'DELETE', `/admin/v1/tenants/${tenantIds.gamma}/credentials/cloud`);
    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(log).toContain('upstream attempt');
    // What the backends echoed was there to mask.
    expect(log).toContain('[REDACTED]');
    for (const secret of [GAMMA_PROVIDER_KEY, CLIENT_PROVIDER_KEY, ADMIN_KEY, CLOUD_TEST_KEY, ...Object.values(keys)]) expect(log).not.toContain(secret);
  });
});
