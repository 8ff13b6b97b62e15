import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { withApiKey, type BackendAdapter } from '@switchyard/adapters';
import { StoreUnavailableError, SwitchyardError } from '@switchyard/contracts';
import { CREDENTIALS, CredentialUnreadableError, type CredentialStore } from '@switchyard/store';
import type { RequestContext } from './request-context';

/**
 * Where a client passes its own provider key for one request, to a backend whose config allows
 * it (`allowClientKey: true`). Not `Authorization` or `x-api-key`: those carry the Switchyard key.
 * A header of the gateway's own prefix is never forwarded upstream, and its name contains `key`,
 * so anything that masks credential headers by name masks it too.
 */
export const PROVIDER_KEY_HEADER = 'x-switchyard-provider-key';

/** The provider key the client sent with this request, if any. */
export function clientProviderKey(req: Pick<FastifyRequest, 'headers'>): string | undefined {
  const raw = req.headers[PROVIDER_KEY_HEADER];
  const key = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return key === undefined || key.length === 0 ? undefined : key;
}

const NO_KEYS: ReadonlyMap<string, string> = new Map();

/**
 * Which API key each call of a request carries: the client's own where the backend allows
 * passthrough, else the key the caller's tenant stored for that backend, else the backend's
 * configured key. A tenant's keys come from the CredentialStore's in-memory copy; no other
 * tenant's request ever sees them.
 */
@Injectable()
export class ProviderKeys {
  constructor(@Inject(CREDENTIALS) private readonly credentials: CredentialStore | null) {}

  /** The keys the request's tenant stored, by backend: a map at once when cached. */
  of(ctx: RequestContext): ReadonlyMap<string, string> | Promise<ReadonlyMap<string, string>> {
    if (ctx.tenant === undefined || this.credentials === null) return NO_KEYS;
    try {
      const keys = this.credentials.keysOf(ctx.tenant);
      return keys instanceof Promise ? keys.catch(unreadable) : keys;
    } catch (err) {
      return unreadable(err);
    }
  }

  /** The adapter one candidate is called through. */
  adapterFor(adapter: BackendAdapter, keys: ReadonlyMap<string, string>, ctx: RequestContext): BackendAdapter {
    const key = (adapter.backend.allowClientKey ? ctx.clientKey : undefined) ?? keys.get(adapter.backend.name);
    return key === undefined ? adapter : withApiKey(adapter, key);
  }
}

/** A stored key that no longer decrypts fails the tenant's request: never a silent fall back to the backend's own key. */
function unreadable(err: unknown): never {
  // The database is away and this tenant's keys were never read: 503, not an unexplained 500.
  if (!(err instanceof CredentialUnreadableError)) throw new StoreUnavailableError('stored provider keys', err);
  throw new SwitchyardError({
    status: 500,
    type: 'api_error',
    code: 'provider_credential_unreadable',
    message: `Your stored provider key for backend ${err.backend} cannot be read; an administrator must set it again.`,
    cause: err,
  });
}
