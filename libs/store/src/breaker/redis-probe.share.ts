import { randomUUID } from 'node:crypto';
import type { RedisConnections, StoreLog } from '../redis/redis-connections';
import type { ProbeShare, ProbeTarget, SharedProbe } from './probe-share';

interface Message extends SharedProbe {
  origin: string;
}

/** A claim that Redis does not answer within this long is taken as a "yes": probing goes on locally. */
const CLAIM_TIMEOUT_MS = 500;

/**
 * Probes shared through Redis by router replicas. A claim is `SET <prefix>:probe:<backend>:<target>
 * <replica> NX PX <lease>` per backend, one round trip for all: the first replica to ask in an
 * interval probes, the others are refused until the lease lapses. The lease is a little shorter
 * than the interval, so the replica that probed last finds it free on its next tick and keeps the
 * job while it lives; when it goes, another takes over within one interval. Results are published
 * on a channel (and kept in a hash for replicas that start later); every other replica applies
 * them as if it had probed. While Redis cannot answer, each replica claims everything and probes
 * for itself, as a lone replica does: probes double, health stays known.
 */
export class RedisProbeShare implements ProbeShare {
  private readonly origin = randomUUID();
  private readonly channel: string;
  private readonly hash: string;
  private failing = false;
  /** Subscribed: others' results arrive. Until then this replica claims everything (it would hear of nothing it left to others). */
  private listening = false;
  private starting?: Promise<void>;

  constructor(
    private readonly redis: RedisConnections,
    /** Applies a result another replica probed. */
    private readonly receive: (p: SharedProbe) => void,
    /** How old a kept result may be and still be applied at start (a few intervals). */
    private readonly freshMs: () => number,
    private readonly log: StoreLog,
  ) {
    this.channel = `${redis.prefix}:probe`;
    this.hash = `${redis.prefix}:probes`;
  }

  async start(): Promise<void> {
    await this.redis.connect();
    const sub = await this.redis.subscriber();
    sub.on('message', (channel: string, raw: string) => {
      if (channel === this.channel) this.apply(raw, 0);
    });
    await sub.subscribe(this.channel);
    // Results other replicas shared before this one started.
    const oldest = Date.now() - this.freshMs();
    for (const raw of Object.values(await this.redis.commands.hgetall(this.hash))) this.apply(raw, oldest);
    this.listening = true;
    this.log.info({ channel: this.channel }, 'backend probes shared through redis');
  }

  async claim(targets: readonly ProbeTarget[], leaseMs: number): Promise<boolean[]> {
    if (targets.length === 0) return [];
    const all = targets.map(() => true);
    if (!this.listening) {
      // Redis was away at start: try again once it is back, meanwhile probe everything here.
      if (!this.starting && this.redis.commands.status === 'ready') {
        this.starting = this.start()
          .catch(() => undefined)
          .finally(() => (this.starting = undefined));
      }
      return all;
    }
    // Commands would wait in the offline queue for a Redis that is away: answer at once instead.
    if (this.redis.commands.status !== 'ready') return this.unshared(all, new Error(`redis is ${this.redis.commands.status}`));
    const pipeline = this.redis.commands.pipeline();
    for (const t of targets) pipeline.set(this.leaseKey(t), this.origin, 'PX', Math.max(1, Math.round(leaseMs)), 'NX');
    let timer: NodeJS.Timeout | undefined;
    try {
      const replies = await Promise.race([
        pipeline.exec(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${CLAIM_TIMEOUT_MS} ms`)), CLAIM_TIMEOUT_MS);
        }),
      ]);
      if (!replies) throw new Error('the pipeline was discarded');
      const claims = replies.map(([err, reply]) => {
        if (err) throw err;
        return reply === 'OK';
      });
      if (this.failing) {
        this.failing = false;
        this.log.info({ channel: this.channel }, 'redis answers again: backend probes are shared again');
      }
      return claims;
    } catch (err) {
      return this.unshared(all, err as Error);
    } finally {
      clearTimeout(timer);
    }
  }

  private unshared(all: boolean[], err: Error): boolean[] {
    if (!this.failing) {
      this.failing = true;
      this.log.warn({ error: err.message }, 'redis unreachable: this replica probes every backend itself until it answers');
    }
    return all;
  }

  publish(p: SharedProbe): void {
    const raw = JSON.stringify({ ...p, origin: this.origin } satisfies Message);
    const pub = this.redis.commands;
    void Promise.all([pub.hset(this.hash, p.backend, raw), pub.publish(this.channel, raw)]).catch((err: Error) =>
      this.log.warn({ error: err.message, backend: p.backend }, 'could not share a probe result'),
    );
  }

  /** The connections belong to whoever built them (RedisConnections.close). */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private leaseKey(t: ProbeTarget): string {
    return `${this.redis.prefix}:probe:${t.backend}:${t.target}`;
  }

  private apply(raw: string, oldest: number): void {
    const m = parse(raw);
    if (!m || m.origin === this.origin || m.at < oldest) return;
    const { origin: _origin, ...probe } = m;
    this.receive(probe);
  }
}

function parse(raw: string): Message | undefined {
  try {
    const m = JSON.parse(raw) as Message;
    const ok =
      typeof m.backend === 'string' &&
      typeof m.target === 'string' &&
      typeof m.ok === 'boolean' &&
      typeof m.healthy === 'boolean' &&
      typeof m.at === 'number' &&
      typeof m.origin === 'string';
    return ok ? m : undefined;
  } catch {
    return undefined;
  }
}
