import type { ExecutionContext } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { ThrottlerStorageService } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { ADMIN_PRINCIPAL, AuthenticationError, StoreUnavailableError } from '@switchyard/contracts';
import { KEY_STORE, type KeyStore } from '@switchyard/store';
import { storeTestingModule, TEST_ADMIN_KEY } from '../store/store-testing.mock';
import { AcceptedKeys } from './accepted-keys';
import { ApiKeyGuard } from './api-key.guard';
import { BadKeyThrottle } from './bad-key.throttle';
import { BAD_KEYS, ThrottledError } from './throttling';

const acme = { tenantId: 'acme', keyId: 'acme-1', scopes: ['inference'] };

function request(headers: Record<string, string>, ip = '192.0.2.1'): FastifyRequest {
  return { headers, ip, raw: { socket: {} } } as unknown as FastifyRequest;
}

function context(req: FastifyRequest): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
}

describe('ApiKeyGuard', () => {
  let module: TestingModule;
  let keys: KeyStore;
  let guard: ApiKeyGuard;
  let storage: ThrottlerStorageService;
  beforeEach(async () => {
    module = await storeTestingModule();
    keys = module.get<KeyStore>(KEY_STORE);
    storage = new ThrottlerStorageService();
    guard = new ApiKeyGuard(keys, new AcceptedKeys(), new BadKeyThrottle(storage));
  });
  afterEach(async () => {
    storage.onApplicationShutdown();
    await module.close();
  });

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

  it('while the key store cannot be read: a key accepted lately still passes, any other gets 503', async () => {
    await keys.register('sk-acme-one', acme);
    const accepted = new AcceptedKeys(100, 10);
    const away: KeyStore = { ...keys, resolve: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) };
    guard = new ApiKeyGuard(keys, accepted, new BadKeyThrottle(storage));
    await guard.canActivate(context(request({ authorization: 'Bearer sk-acme-one' })));
    await new Promise((r) => setTimeout(r, 30));
    const outage = new ApiKeyGuard(away, accepted, new BadKeyThrottle(storage));
    const req = request({ authorization: 'Bearer sk-acme-one' });
    expect(await outage.canActivate(context(req))).toBe(true);
    expect(req.principal).toEqual(acme);
    const refused = await Promise.resolve(outage.canActivate(context(request({ authorization: 'Bearer sk-acme-two' })))).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreUnavailableError);
    expect(refused).toMatchObject({ status: 503, code: 'store_unavailable' });
    expect((refused as Error).message).not.toContain('5432');
  });

  it('answers 429 to an address past the limit of failed keys, even for a good key it has not used yet', async () => {
    await keys.register('sk-acme-one', acme);
    await guard.canActivate(context(request({ authorization: 'Bearer sk-acme-one' })));
    const guess = (i: number, ip?: string) => guard.canActivate(context(request({ authorization: `Bearer sk-guess-${i}` }, ip)));
    for (let i = 0; i < BAD_KEYS.limit; i++) await expect(guess(i)).rejects.toBeInstanceOf(AuthenticationError);
    const refused = await Promise.resolve(guess(BAD_KEYS.limit)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ThrottledError);
    expect(refused).toMatchObject({ status: 429, code: 'too_many_invalid_keys', retryAfter: '60' });
    await keys.register('sk-acme-two', { ...acme, keyId: 'acme-2' });
    await expect(Promise.resolve(guard.canActivate(context(request({ authorization: 'Bearer sk-acme-two' }))))).rejects.toBeInstanceOf(ThrottledError);
    // A key its client already uses is not looked up, nor counted: it keeps working.
    expect(guard.canActivate(context(request({ authorization: 'Bearer sk-acme-one' })))).toBe(true);
    // Other addresses are not held back by this one.
    await expect(guess(0, '192.0.2.2')).rejects.toBeInstanceOf(AuthenticationError);
    expect(await guard.canActivate(context(request({ authorization: 'Bearer sk-acme-two' }, '192.0.2.2')))).toBe(true);
  });

  it('checks a key accepted lately again from a blocked address once its cache entry has expired, and holds it back once revoked', async () => {
    await keys.register('sk-acme-one', acme);
    const accepted = new AcceptedKeys(100, 10);
    guard = new ApiKeyGuard(keys, accepted, new BadKeyThrottle(storage));
    await guard.canActivate(context(request({ authorization: 'Bearer sk-acme-one' })));
    for (let i = 0; i <= BAD_KEYS.limit; i++)
      await Promise.resolve(guard.canActivate(context(request({ authorization: `Bearer sk-guess-${i}` })))).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 30));
    // Expired in the cache, known lately: looked up again, not held back with the guesses.
    expect(await guard.canActivate(context(request({ authorization: 'Bearer sk-acme-one' })))).toBe(true);
    // Revoked (the admin API forgets it at once): no longer known, so held back like any other key.
    await keys.revoke(acme.keyId);
    accepted.forget('sk-acme-one');
    await expect(Promise.resolve(guard.canActivate(context(request({ authorization: 'Bearer sk-acme-one' }))))).rejects.toBeInstanceOf(ThrottledError);
  });

  it('does not count good keys, missing ones, nor a refused key retried', async () => {
    await keys.register('sk-acme-one', acme);
    for (let i = 0; i < BAD_KEYS.limit * 2; i++) {
      expect(() => guard.canActivate(context(request({})))).toThrow(AuthenticationError);
      guard.accepted.forget('sk-acme-one');
      expect(await guard.canActivate(context(request({ authorization: 'Bearer sk-acme-one' })))).toBe(true);
    }
    for (let i = 0; i < BAD_KEYS.limit * 2; i++) {
      await expect(Promise.resolve(guard.canActivate(context(request({ authorization: 'Bearer sk-wrong' }))))).rejects.toBeInstanceOf(AuthenticationError);
    }
  });
});
