import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { BackendStateRegistry, BreakerTransition } from '@switchyard/policy';

/** The one logger shape this needs (pino's). */
interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

interface Message extends BreakerTransition {
  origin: string;
}

/**
 * Shares circuit-breaker transitions between gateway replicas through Redis: a replica that
 * opens (or closes) a circuit publishes it, and every other replica applies it at once. Open
 * circuits are also kept in a hash, so a replica that starts later begins with them open.
 * Counting stays local to each replica; decisions stay synchronous and never wait on Redis.
 */
export class RedisBreakerSync {
  private readonly origin = randomUUID();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  private readonly hash: string;

  constructor(
    url: string,
    private readonly registry: () => BackendStateRegistry,
    private readonly openMs: () => number,
    private readonly log: Log,
    prefix = 'switchyard',
  ) {
    const options = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true };
    this.pub = new Redis(url, options);
    this.sub = new Redis(url, options);
    this.channel = `${prefix}:breaker`;
    this.hash = `${prefix}:breakers`;
    for (const c of [this.pub, this.sub]) c.on('error', (err: Error) => this.log.warn({ error: err.message }, 'redis (breaker sync) error'));
  }

  async start(): Promise<void> {
    await Promise.all([this.pub.connect(), this.sub.connect()]);
    this.sub.on('message', (_channel: string, raw: string) => this.receive(raw));
    await this.sub.subscribe(this.channel);
    // Circuits other replicas opened before this one started.
    const now = Date.now();
    for (const raw of Object.values(await this.pub.hgetall(this.hash))) {
      const t = parse(raw);
      if (t?.state === 'open' && now - t.at < this.openMs()) this.registry().applyBreaker(t);
    }
    this.log.info({ channel: this.channel }, 'breaker state shared through redis');
  }

  /** Called on every local transition. Never throws, never blocks the caller. */
  publish(t: BreakerTransition): void {
    const raw = JSON.stringify({ ...t, origin: this.origin } satisfies Message);
    const op = t.state === 'open' ? this.pub.hset(this.hash, t.key, raw) : this.pub.hdel(this.hash, t.key);
    void Promise.all([op, this.pub.publish(this.channel, raw)]).catch((err: Error) =>
      this.log.warn({ error: err.message, breaker: t.key }, 'could not share breaker transition'),
    );
  }

  async ping(): Promise<void> {
    await this.pub.ping();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }

  private receive(raw: string): void {
    const t = parse(raw);
    if (!t || t.origin === this.origin) return;
    this.registry().applyBreaker(t);
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
