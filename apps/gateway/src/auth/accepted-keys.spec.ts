import { ADMIN_PRINCIPAL } from '@switchyard/contracts';
import { AcceptedKeys } from './accepted-keys';

const acme = { tenantId: 'acme', keyId: 'k1', scopes: ['inference'] };

describe('AcceptedKeys', () => {
  it('remembers a verified key with its principal, and forgets it by key', () => {
    const keys = new AcceptedKeys();
    keys.remember('sk-one', acme);
    expect(keys.get('sk-one')).toBe(acme);
    keys.forget('sk-one');
    expect(keys.get('sk-one')).toBeUndefined();
  });

  it("forgets every key of a tenant at once (a suspended tenant's keys)", () => {
    const keys = new AcceptedKeys();
    keys.remember('sk-one', acme);
    keys.remember('sk-two', { ...acme, keyId: 'k2' });
    keys.remember('sy-admin', ADMIN_PRINCIPAL);
    keys.forgetWhere((p) => p.tenantId === 'acme');
    expect([keys.get('sk-one'), keys.get('sk-two'), keys.get('sy-admin')]).toEqual([undefined, undefined, ADMIN_PRINCIPAL]);
  });

  it('does not keep a key read before something was forgotten: the lookup may have raced a revocation', () => {
    const keys = new AcceptedKeys();
    const before = keys.generation;
    keys.forgetWhere((p) => p.keyId === 'k1');
    keys.remember('sk-one', acme, before);
    expect(keys.get('sk-one')).toBeUndefined();
    keys.remember('sk-one', acme, keys.generation);
    expect(keys.get('sk-one')).toBe(acme);
  });

  it('is bounded: the least recently used key goes first', () => {
    const keys = new AcceptedKeys(2);
    keys.remember('a-key-1', acme);
    keys.remember('a-key-2', acme);
    keys.get('a-key-1');
    keys.remember('a-key-3', acme);
    expect(keys.size).toBe(2);
    expect(keys.get('a-key-2')).toBeUndefined();
    expect(keys.get('a-key-1')).toBe(acme);
  });

  it('expires: a key is verified again once its time is up', async () => {
    const keys = new AcceptedKeys(10, 30);
    keys.remember('sk-one', acme);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(keys.get('sk-one')).toBeUndefined();
  });
});

describe('AcceptedKeys while the key store is away', () => {
  it('still knows a key past its expiry, within the grace asked for; never a forgotten one', async () => {
    const keys = new AcceptedKeys(10, 20);
    keys.remember('sk-live', acme);
    keys.remember('sk-gone', acme);
    keys.forget('sk-gone');
    await new Promise((r) => setTimeout(r, 60));
    expect(keys.get('sk-live')).toBeUndefined();
    expect(keys.lastKnown('sk-live', 10_000)).toBe(acme);
    expect(keys.lastKnown('sk-live', 10)).toBeUndefined();
    expect(keys.lastKnown('sk-gone', 10_000)).toBeUndefined();
    expect(keys.lastKnown('sk-never', 10_000)).toBeUndefined();
  });
});
