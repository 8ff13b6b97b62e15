import { ADMIN_PRINCIPAL, ModelNotFoundError, type Principal } from '@switchyard/contracts';
import { assertMayUseModel, mayUseModel } from './model-access';

const tenant = (allowedModels?: string[]): Principal => ({
  tenantId: 't1',
  keyId: 'k1',
  scopes: ['inference'],
  grants: { allowedModels, limits: {}, budgets: {} },
});

describe('model allow-lists', () => {
  it('lets a key without an allow-list (the admin key, a tenant with none) use every model', () => {
    expect(mayUseModel(ADMIN_PRINCIPAL, 'anything')).toBe(true);
    expect(mayUseModel(tenant(), 'anything')).toBe(true);
    expect(mayUseModel(undefined, 'anything')).toBe(true);
  });

  it.each([
    [['chat*'], 'chat', true],
    [['chat*'], 'chat-large', true],
    [['chat*'], 'gpt-chat', false],
    [['chat'], 'chat-large', false],
    [['embed', 'chat*'], 'embed', true],
    [['meta-llama/*'], 'meta-llama/Llama-3.1-8B', true],
    [['a.b'], 'aXb', false],
    [[], 'chat', false],
  ])('%j: %s -> %s (anchored, `*` any run, the rest literal)', (globs, model, allowed) => {
    expect(mayUseModel(tenant(globs), model)).toBe(allowed);
  });

  it('refuses a model outside the list exactly as an unknown one', () => {
    let refused: unknown;
    try {
      assertMayUseModel(tenant(['chat*']), 'secret-model');
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(ModelNotFoundError);
    expect(refused).toMatchObject({ ...new ModelNotFoundError('secret-model') });
    expect((refused as Error).message).toBe(new ModelNotFoundError('secret-model').message);
  });
});
