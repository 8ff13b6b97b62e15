import { randomUUID } from 'node:crypto';
import type { Principal } from '@switchyard/contracts';
import { KeyConflictError, type KeyStore } from './key-store';

/**
 * What every KeyStore keeps, run by each implementation's spec (memory now; PostgreSQL and Redis
 * ones run the same). Ids and secrets are fresh per test, so a shared database needs no cleanup.
 * For specs only (`*.mock.ts` is not built).
 */
export function describeKeyStoreContract(name: string, make: () => KeyStore | Promise<KeyStore>): void {
  describe(`${name} (KeyStore contract)`, () => {
    let keys: KeyStore;
    beforeEach(async () => {
      keys = await make();
    });

    const fresh = (tenantId = `t-${randomUUID()}`): { secret: string; principal: Principal } => ({
      secret: `sk-${randomUUID()}`,
      principal: { tenantId, keyId: `k-${randomUUID()}`, scopes: ['inference'] },
    });

    it('resolves a registered key to its principal, and nothing else to anything', async () => {
      const { secret, principal } = fresh();
      await keys.register(secret, principal);
      expect(await keys.resolve(secret)).toEqual(principal);
      expect(await keys.resolve(`${secret}x`)).toBeUndefined();
      expect(await keys.resolve(secret.slice(0, -1))).toBeUndefined();
      expect(await keys.resolve(secret.toUpperCase())).toBeUndefined();
      expect(await keys.resolve('')).toBeUndefined();
    });

    it('returns nothing secret from register, and keeps its own copy of the principal', async () => {
      const { secret, principal } = fresh();
      const scopes = ['inference'];
      const stored = await keys.register(secret, { ...principal, scopes });
      expect(stored).toEqual(principal);
      expect(JSON.stringify(stored)).not.toContain(secret);
      scopes.push('admin');
      expect(await keys.resolve(secret)).toEqual(principal);
    });

    it("keeps each tenant's keys its own", async () => {
      const a = fresh('tenant-a');
      const b = fresh('tenant-b');
      await Promise.all([keys.register(a.secret, a.principal), keys.register(b.secret, b.principal)]);
      expect(await keys.resolve(a.secret)).toEqual(a.principal);
      expect(await keys.resolve(b.secret)).toEqual(b.principal);
    });

    it("replaces a key id's secret when it is registered again (rotation)", async () => {
      const { secret, principal } = fresh();
      await keys.register(secret, principal);
      const rotated = `sk-${randomUUID()}`;
      await keys.register(rotated, { ...principal, scopes: ['inference', 'admin'] });
      expect(await keys.resolve(secret)).toBeUndefined();
      expect(await keys.resolve(rotated)).toEqual({ ...principal, scopes: ['inference', 'admin'] });
    });

    it('refuses a secret another key id holds, and leaves that key as it was', async () => {
      const { secret, principal } = fresh();
      await keys.register(secret, principal);
      await expect(keys.register(secret, fresh().principal)).rejects.toBeInstanceOf(KeyConflictError);
      expect(await keys.resolve(secret)).toEqual(principal);
    });

    it('refuses an empty key', async () => {
      await expect(keys.register('', fresh().principal)).rejects.toThrow(RangeError);
    });

    it('revokes by key id: the secret resolves to nothing, other keys still resolve', async () => {
      const one = fresh('tenant-r');
      const two = fresh('tenant-r');
      await keys.register(one.secret, one.principal);
      await keys.register(two.secret, two.principal);
      expect(await keys.revoke(one.principal.keyId)).toBe(true);
      expect(await keys.resolve(one.secret)).toBeUndefined();
      expect(await keys.resolve(two.secret)).toEqual(two.principal);
      expect(await keys.revoke(one.principal.keyId)).toBe(false);
      expect(await keys.revoke(`k-${randomUUID()}`)).toBe(false);
    });

    it('resolves every key of many registered at once', async () => {
      const all = Array.from({ length: 50 }, () => fresh());
      await Promise.all(all.map((k) => keys.register(k.secret, k.principal)));
      const resolved = await Promise.all(all.map((k) => keys.resolve(k.secret)));
      expect(resolved).toEqual(all.map((k) => k.principal));
    });
  });
}
