import { ADMIN_KEY, postJson, startStack, type Stack } from './support/stack';

/** The guard resolves the key to a principal, and policy sees its tenant (rules with `match.tenant`). */
describe('the caller identity reaches policy', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      backends: [
        { name: 'local', protocol: 'openai', tier: 'local', models: ['m-local'] },
        { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['m-cloud'] },
      ],
      models: [
        {
          name: 'chat',
          targets: [
            { backend: 'local', model: 'm-local' },
            { backend: 'cloud', model: 'm-cloud' },
          ],
        },
      ],
      policy: {
        rules: [
          { name: 'other-tenants-local', match: { tenant: 'acme' }, action: { tier: 'local' } },
          { name: 'admin-to-cloud', match: { tenant: 'admin' }, action: { tier: 'cloud' } },
        ],
      },
    });
  });
  afterAll(() => stack.close());

  it("routes the admin key's requests by the rule for its tenant, `admin`", async () => {
    const res = await postJson(stack, { model: 'chat', messages: [{ role: 'user', content: 'hello' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-route')).toBe('admin-to-cloud');
    expect(res.headers.get('x-switchyard-tier')).toBe('cloud');
    await res.text();
  });

  it('keeps refusing a wrong key, and accepts the admin key again after it', async () => {
    const bad = await fetch(`${stack.baseURL}/models`, { headers: { authorization: 'Bearer sy-admin-wrong-0000000000000000' } });
    expect(bad.status).toBe(401);
    const good = await fetch(`${stack.baseURL}/models`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(good.status).toBe(200);
  });
});
