import { LRUCache } from 'lru-cache';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthenticationError, StoreUnavailableError, type Principal } from '@switchyard/contracts';
import { KEY_STORE, type KeyStore } from '@switchyard/store';
import { authenticated } from '../edge/connection-cap';
import { AcceptedKeys } from './accepted-keys';
import { BadKeyThrottle } from './bad-key.throttle';
import './principal';
import '../observability/outcome-bus';

/** How long a key accepted before the key store became unreachable keeps working without it. */
const OUTAGE_GRACE_MS = 15 * 60_000;

/** Short, so a key created a moment after a client tried it works at once. */
const REJECTED_KEY_TTL_MS = 1_000;

/** The caller's key from `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function presentedKey(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ') return auth.slice(7).trim();
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey.trim() : undefined;
}

/**
 * Resolves the caller's key to a Principal and attaches it to the request. Keys are looked up
 * through the KeyStore port by their keyed hash, never compared as raw secrets (the admin key is
 * registered there at start, as the principal of the built-in `admin` tenant); a key that passed
 * is remembered (AcceptedKeys: bounded, expiring) so that its client's next requests skip the
 * hash and the store, and pass synchronously. Failed checks are counted per address
 * (BadKeyThrottle): past its limit, an address's unknown keys get 429 before any lookup (keys
 * accepted lately are checked again all the same).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** Keys the store just refused: a client retrying a bad key does not reach the store each time. */
  private readonly rejected = new LRUCache<string, true>({ max: 10_000, ttl: REJECTED_KEY_TTL_MS });

  constructor(
    @Inject(KEY_STORE) private readonly keys: KeyStore,
    /** One for the process (AuthModule's): each module using the guard has its own instance of it. */
    readonly accepted: AcceptedKeys,
    private readonly badKeys: BadKeyThrottle,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const key = presentedKey(req);
    if (key === undefined) {
      throw new AuthenticationError('You didn\'t provide an API key. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".');
    }
    const principal = this.accepted.get(key);
    return principal !== undefined ? attach(req, principal) : this.resolve(req, key);
  }

  private async resolve(req: FastifyRequest, key: string): Promise<boolean> {
    const address = req.ip ?? req.raw.socket.remoteAddress ?? '';
    // A key this gateway accepted lately is checked again, not guessed: an address that another
    // client's bad keys got blocked (a shared NAT) keeps working with keys in use.
    if (this.accepted.lastKnown(key, OUTAGE_GRACE_MS) === undefined) this.badKeys.check(address);
    // A key retried after a refusal is not a new guess: only keys the store had to look up count.
    if (this.rejected.has(key)) throw new AuthenticationError();
    let principal: Principal | undefined;
    const generation = this.accepted.generation;
    try {
      principal = await this.keys.resolve(key);
    } catch (err) {
      const known = this.accepted.lastKnown(key, OUTAGE_GRACE_MS);
      if (known !== undefined) return attach(req, known);
      throw new StoreUnavailableError('API key store', err);
    }
    if (principal === undefined) {
      this.rejected.set(key, true);
      await this.badKeys.failed(address);
      throw new AuthenticationError();
    }
    // Not kept if a revocation arrived during the lookup: what it read may be what was revoked.
    this.accepted.remember(key, principal, generation);
    return attach(req, principal);
  }
}

function attach(req: FastifyRequest, principal: Principal): true {
  req.principal = principal;
  if (req.outcome !== undefined) req.outcome.principal = principal;
  authenticated(req.raw.socket);
  return true;
}
