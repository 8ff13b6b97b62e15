import type { KeyInvalidation, KeyInvalidations } from '@switchyard/store';
import type { WorkerLink } from './worker-link';

const TOPIC = 'keys';

/**
 * Key invalidations between the workers of SWITCHYARD_WORKERS without Redis: the worker whose
 * admin API made a change broadcasts it through the primary, every other worker drops the cached
 * keys it names at once (ids only, as on Redis).
 */
export class IpcKeyInvalidations implements KeyInvalidations {
  private stop?: () => void;

  constructor(private readonly link: WorkerLink) {}

  start(apply: (change: KeyInvalidation) => void): Promise<void> {
    this.stop = this.link.onBroadcast(TOPIC, (body) => {
      const change = parse(body);
      if (change !== undefined) apply(change);
    });
    return Promise.resolve();
  }

  publish(change: KeyInvalidation): void {
    this.link.broadcast(TOPIC, 'tenantId' in change ? { tenantId: change.tenantId } : { keyId: change.keyId });
  }

  close(): Promise<void> {
    this.stop?.();
    return Promise.resolve();
  }
}

function parse(body: unknown): KeyInvalidation | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { tenantId, keyId } = body as { tenantId?: unknown; keyId?: unknown };
  if (typeof tenantId === 'string' && tenantId.length > 0) return { tenantId };
  if (typeof keyId === 'string' && keyId.length > 0) return { keyId };
  return undefined;
}
