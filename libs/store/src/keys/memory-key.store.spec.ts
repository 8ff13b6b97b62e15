import { randomBytes } from 'node:crypto';
import { ADMIN_PRINCIPAL } from '@switchyard/contracts';
import { describeKeyStoreContract } from './key-store.contract.mock';
import { KeyDigest } from './key-store';
import { MemoryKeyStore } from './memory-key.store';

describeKeyStoreContract('MemoryKeyStore', () => new MemoryKeyStore(randomBytes(32)));

describe('KeyDigest', () => {
  it('is HMAC-SHA-256 under the server secret (RFC 4231, test case 2)', () => {
    const hex = Buffer.from(new KeyDigest('Jefe').of('what do ya want for nothing?'), 'base64url').toString('hex');
    expect(hex).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('differs with the server secret, and refuses an empty one', () => {
    expect(new KeyDigest('one').of('sk-key')).not.toBe(new KeyDigest('two').of('sk-key'));
    expect(() => new KeyDigest('')).toThrow(RangeError);
  });
});

describe('MemoryKeyStore', () => {
  it('holds the admin key as the principal of the built-in admin tenant', async () => {
    const keys = new MemoryKeyStore('server-secret');
    await keys.register('sy-admin-0123', ADMIN_PRINCIPAL);
    expect(await keys.resolve('sy-admin-0123')).toEqual(ADMIN_PRINCIPAL);
  });
});
