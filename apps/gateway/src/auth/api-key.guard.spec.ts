import type { ExecutionContext } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import type { FastifyRequest } from 'fastify';
import { ADMIN_PRINCIPAL, AuthenticationError } from '@switchyard/contracts';
import { KEY_STORE, type KeyStore } from '@switchyard/store';
import { storeTestingModule, TEST_ADMIN_KEY } from '../store/store-testing.mock';
import { ApiKeyGuard } from './api-key.guard';

const acme = { tenantId: 'acme', keyId: 'acme-1', scopes: ['inference'] };

function request(headers: Record<string, string>): FastifyRequest {
  return { headers, raw: { socket: {} } } as unknown as FastifyRequest;
}

function context(req: FastifyRequest): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
}

describe('ApiKeyGuard', () => {
  let module: TestingModule;
  let keys: KeyStore;
  let guard: ApiKeyGuard;
  beforeEach(async () => {
    module = await storeTestingModule();
    keys = module.get<KeyStore>(KEY_STORE);
    guard = new ApiKeyGuard(keys);
  });
  afterEach(() => module.close());

  it('resolves the admin key, as a bearer token or x-api-key, to the admin principal', async () => {
    for (const headers of [{ authorization: `Bearer ${TEST_ADMIN_KEY}` }, { 'x-api-key': TEST_ADMIN_KEY }] as Record<string, string>[]) {
      const req = request(headers);
      expect(await guard.canActivate(context(req))).toBe(true);
      expect(req.principal).toEqual(ADMIN_PRINCIPAL);
    }
  });

  it('resolves any key the KeyStore holds to its principal', async () => {
    await keys.register('sk-acme-one', acme);
    const req = request({ authorization: 'Bearer sk-acme-one' });
    expect(await guard.canActivate(context(req))).toBe(true);
    expect(req.principal).toEqual(acme);
  });

  it('refuses a missing or unknown key with the same errors as ever', async () => {
    expect(() => guard.canActivate(context(request({})))).toThrow(
      new AuthenticationError('You didn\'t provide an API key. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".'),
    );
    await expect(guard.canActivate(context(request({ authorization: 'Bearer sk-nobody' })))).rejects.toThrow(new AuthenticationError());
  });

  it('passes an accepted key from its cache, until it is forgotten there', async () => {
    await keys.register('sk-acme-one', acme);
    await guard.canActivate(context(request({ authorization: 'Bearer sk-acme-one' })));
    await keys.revoke(acme.keyId);
    expect(guard.canActivate(context(request({ authorization: 'Bearer sk-acme-one' })))).toBe(true);
    guard.accepted.forgetWhere((p) => p.tenantId === 'acme');
    await expect(guard.canActivate(context(request({ authorization: 'Bearer sk-acme-one' })))).rejects.toBeInstanceOf(AuthenticationError);
  });
});
