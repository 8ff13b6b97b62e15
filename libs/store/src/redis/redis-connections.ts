import Redis from 'ioredis';

/** The one logger shape this needs (pino's). */
export interface StoreLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * One process's Redis: a single command connection every store shares, and subscriber
 * connections for those that listen (a subscribed connection cannot issue commands). Built
 * once from `REDIS_URL` and handed to stores, instead of each store opening its own.
 */
export class RedisConnections {
  readonly commands: Redis;
  private readonly subscribers: Redis[] = [];
  private connecting?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly log: StoreLog,
    readonly prefix = 'switchyard',
  ) {
    this.commands = this.open('commands');
  }

  /** Connects the command connection (once; later calls share the attempt). */
  connect(): Promise<void> {
    return (this.connecting ??= this.commands.connect());
  }

  /** A new connection for SUBSCRIBE, connected; closed with the others. */
  async subscriber(): Promise<Redis> {
    const sub = this.open('subscriber');
    this.subscribers.push(sub);
    await sub.connect();
    return sub;
  }

  async ping(): Promise<void> {
    await this.commands.ping();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.subscribers, this.commands].map((c) => c.quit()));
  }

  private open(role: string): Redis {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    client.on('error', (err: Error) => this.log.warn({ error: err.message, role }, 'redis error'));
    return client;
  }
}
