import { randomUUID } from 'node:crypto';
import type { BackendStateRegistry, BreakerTransition } from '@switchyard/policy';
import type { RedisConnections, StoreLog } from '../redis/redis-connections';
import type { BreakerSync } from './breaker-sync';

interface Message extends BreakerTransition {
  origin: string;
}

/**
 * Shares circuit-breaker transitions between replicas (gateways in embedded mode, or routers)
 * through Redis: a replica that
 * opens (or closes) a circuit publishes it, and every other replica applies it at once. Open
 * circuits are also kept in a hash, so a replica that starts later begins with them open.
 * Counting stays local to each replica; decisions stay synchronous and never wait on Redis.
 */
export class RedisBreakerSync implements BreakerSync {
  private readonly origin = randomUUID();
  private readonly channel: string;
  private readonly hash: string;

  constructor(
    private readonly redis: RedisConnections,
    private readonly registry: () => BackendStateRegistry,
    private readonly openMs: () => number,
    private readonly log: StoreLog,
    /** Told of each transition applied from elsewhere (a router tells its watchers). */
    private readonly applied?: (t: BreakerTransition) => void,
  ) {
    this.channel = `${redis.prefix}:breaker`;
    this.hash = `${redis.prefix}:breakers`;
  }

  async start(): Promise<void> {
    await this.redis.connect();
    const sub = await this.redis.subscriber();
    sub.on('message', (_channel: string, raw: string) => this.receive(raw));
    await sub.subscribe(this.channel);
    // Circuits other replicas opened before this one started.
    const now = Date.now();
    for (const raw of Object.values(await this.redis.commands.hgetall(this.hash))) {
      const t = parse(raw);
      if (t?.state === 'open' && now - t.at < this.openMs()) this.apply(t);
    }
    this.log.info({ channel: this.channel }, 'breaker state shared through redis');
  }

  /** Called on every local transition. Never throws, never blocks the caller. */
  publish(t: BreakerTransition): void {
    const raw = JSON.stringify({ ...t, origin: this.origin } satisfies Message);
    const pub = this.redis.commands;
    const op = t.state === 'open' ? pub.hset(this.hash, t.key, raw) : pub.hdel(this.hash, t.key);
    void Promise.all([op, pub.publish(this.channel, raw)]).catch((err: Error) =>
      this.log.warn({ error: err.message, breaker: t.key }, 'could not share breaker transition'),
    );
  }

  readonly ping = (): Promise<void> => this.redis.ping();

  /** The connections belong to whoever built them (RedisConnections.close). */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private receive(raw: string): void {
    const t = parse(raw);
    if (!t || t.origin === this.origin) return;
    this.apply(t);
  }

  private apply(t: Message): void {
    const { origin: _origin, ...transition } = t;
    this.registry().applyBreaker(transition);
    this.applied?.(transition);
  }
}

function parse(raw: string): Message | undefined {
  try {
    const m = JSON.parse(raw) as Message;
    return typeof m.key === 'string' && typeof m.at === 'number' && (m.state === 'open' || m.state === 'closed' || m.state === 'half_open') ? m : undefined;
  } catch {
    return undefined;
  }
}
