import type { KeyInvalidation, KeyInvalidations } from '@switchyard/store';
import { AcceptedKeys } from './accepted-keys';
import { KeyRevocations } from './key-revocations';

/** What replicas share, as a list: what this replica published, and a way to deliver another's. */
class Recorded implements KeyInvalidations {
  readonly published: KeyInvalidation[] = [];
  deliver: (change: KeyInvalidation) => void = () => undefined;

  start(apply: (change: KeyInvalidation) => void): Promise<void> {
    this.deliver = apply;
    return Promise.resolve();
  }

  publish(change: KeyInvalidation): void {
    this.published.push(change);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const scopes = ['inference'];

describe('KeyRevocations', () => {
  let accepted: AcceptedKeys;
  let shared: Recorded;
  let revocations: KeyRevocations;

  beforeEach(async () => {
    accepted = new AcceptedKeys();
    shared = new Recorded();
    revocations = new KeyRevocations(accepted, shared);
    await revocations.onApplicationBootstrap();
    accepted.remember('sk-a1', { tenantId: 'a', keyId: 'a1', scopes });
    accepted.remember('sk-a2', { tenantId: 'a', keyId: 'a2', scopes });
    accepted.remember('sk-b1', { tenantId: 'b', keyId: 'b1', scopes });
  });

  it('forgets a changed key here and tells the other replicas', () => {
    revocations.keyChanged('a1');
    expect([accepted.get('sk-a1'), accepted.get('sk-a2')?.keyId]).toEqual([undefined, 'a2']);
    expect(shared.published).toEqual([{ keyId: 'a1' }]);
  });

  it('forgets every key of a changed tenant here and tells the other replicas', () => {
    revocations.tenantChanged('a');
    expect([accepted.get('sk-a1'), accepted.get('sk-a2'), accepted.get('sk-b1')?.keyId]).toEqual([undefined, undefined, 'b1']);
    expect(shared.published).toEqual([{ tenantId: 'a' }]);
  });

  it('forgets what another replica changed, without telling anyone again', () => {
    shared.deliver({ keyId: 'b1' });
    shared.deliver({ tenantId: 'a' });
    expect(accepted.size).toBe(0);
    expect(shared.published).toEqual([]);
  });
});
