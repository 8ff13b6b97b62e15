import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { KEY_INVALIDATIONS, type KeyInvalidation, type KeyInvalidations } from '@switchyard/store';
import { AcceptedKeys } from './accepted-keys';

/**
 * Where the admin API says a key or a tenant changed: this replica's cache of accepted keys
 * forgets it at once, and every other replica is told (KeyInvalidations: Redis pub/sub when the
 * gateway has Redis). Without Redis, or for a message lost, the cache's expiry
 * (ACCEPTED_KEY_TTL_MS) bounds how long another replica keeps accepting it.
 */
@Injectable()
export class KeyRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly accepted: AcceptedKeys,
    @Inject(KEY_INVALIDATIONS) private readonly shared: KeyInvalidations,
  ) {}

  /** Listening before the gateway takes requests, so no change made after it is ready goes unheard. */
  onApplicationBootstrap(): Promise<void> {
    return this.shared.start((change) => this.drop(change));
  }

  onApplicationShutdown(): Promise<void> {
    return this.shared.close();
  }

  /** Every key of a tenant: it was suspended, deleted, or its grants changed. */
  tenantChanged(tenantId: string): void {
    this.changed({ tenantId });
  }

  /** One key: revoked, or its secret rotated without grace. */
  keyChanged(keyId: string): void {
    this.changed({ keyId });
  }

  private changed(change: KeyInvalidation): void {
    this.drop(change);
    this.shared.publish(change);
  }

  private drop(change: KeyInvalidation): void {
    if ('tenantId' in change) this.accepted.forgetWhere((p) => p.tenantId === change.tenantId);
    else this.accepted.forgetWhere((p) => p.keyId === change.keyId);
  }
}
