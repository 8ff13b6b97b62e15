import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';

/** The one logger shape this needs (pino's). */
export interface StoreLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** A connection to one Redis, or to a Redis Cluster: the commands stores use work on both. */
export type RedisClient = Redis | Cluster;

/** Where `REDIS_URL` points: one server (any URL ioredis takes), or the seed nodes of a cluster. */
export type RedisTarget =
  { kind: 'server'; url: string } | { kind: 'cluster'; nodes: { host: string; port: number }[]; username?: string; password?: string; tls: boolean };

const CLUSTER_SCHEME = /^(rediss?)\+cluster:\/\//i;

/**
 * Reads `REDIS_URL`. `redis+cluster://[user:password@]host:port[,host:port…]` (or `rediss+cluster://`
 * for TLS) names a Redis Cluster by some of its nodes (the client learns the rest from them);
 * anything else is one server. Errors name the URL's shape, never what it holds.
 */
export function parseRedisTarget(url: string): RedisTarget {
  const scheme = CLUSTER_SCHEME.exec(url);
  if (scheme === null) return { kind: 'server', url };
  let rest = url.slice(scheme[0].length).replace(/\/+$/, '');
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const auth = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = auth.indexOf(':');
    username = decodeURIComponent(colon >= 0 ? auth.slice(0, colon) : auth) || undefined;
    password = colon >= 0 ? decodeURIComponent(auth.slice(colon + 1)) || undefined : undefined;
  }
  const nodes = rest.split(',').map((node, i) => {
    const m = /^(\[[0-9a-f:.]+\]|[^:[\]/@]+):(\d{1,5})$/i.exec(node.trim());
    const port = m === null ? NaN : Number(m[2]);
    // Which node, not what it says: a mistyped URL may hold the password where a host should be.
    if (m === null || port < 1 || port > 65535) {
      throw new Error(
        `REDIS_URL: a cluster URL lists its nodes as host:port, separated by commas (redis+cluster://[user:password@]host:port,host:port); node ${i + 1} is not one`,
      );
    }
    return { host: m[1].replace(/^\[|\]$/g, ''), port };
  });
  return { kind: 'cluster', nodes, username, password, tls: scheme[1].toLowerCase() === 'rediss' };
}

/**
 * One process's Redis: a single command connection every store shares, and subscriber
 * connections for those that listen (a subscribed connection cannot issue commands). Built
 * once from `REDIS_URL` and handed to stores, instead of each store opening its own. With a
 * cluster URL every connection is a cluster client: commands go to the node owning their
 * keys' slot, and pub/sub messages reach subscribers on every node.
 */
export class RedisConnections {
  readonly commands: RedisClient;
  readonly target: RedisTarget;
  private readonly subscribers: RedisClient[] = [];
  private connecting?: Promise<void>;

  constructor(
    url: string,
    private readonly log: StoreLog,
    readonly prefix = 'switchyard',
  ) {
    this.target = parseRedisTarget(url);
    this.commands = this.open('commands');
  }

  /** Whether these are connections to a Redis Cluster. */
  get cluster(): boolean {
    return this.target.kind === 'cluster';
  }

  /** Connects the command connection (once; later calls share the attempt). */
  connect(): Promise<void> {
    return (this.connecting ??= this.commands.connect());
  }

  /** A new connection for SUBSCRIBE, connected; closed with the others. */
  async subscriber(): Promise<RedisClient> {
    const sub = this.open('subscriber');
    this.subscribers.push(sub);
    await sub.connect();
    return sub;
  }

  /**
   * Calls `onMessage` with every message published on `channel`, on a connection of its own.
   * Resolves once subscribed. While Redis is away the subscription waits for it rather than
   * failing, and ioredis subscribes again after every reconnect; messages published meanwhile
   * are lost, so listeners must not depend on every one arriving.
   */
  async listen(channel: string, onMessage: (raw: string) => void): Promise<void> {
    const sub = this.open('subscriber', { maxRetriesPerRequest: null });
    this.subscribers.push(sub);
    sub.on('message', (from: string, raw: string) => {
      if (from === channel) onMessage(raw);
    });
    await sub.subscribe(channel);
  }

  async ping(): Promise<void> {
    await this.commands.ping();
  }

  async close(): Promise<void> {
    // QUIT waits for a connection that is down (or never opened); there is nothing to flush then.
    await Promise.allSettled([...this.subscribers, this.commands].map(async (c) => (c.status === 'ready' ? c.quit() : c.disconnect())));
  }

  private open(role: string, extra: Pick<RedisOptions, 'maxRetriesPerRequest'> = {}): RedisClient {
    const options: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true, ...extra };
    const t = this.target;
    let client: RedisClient;
    if (t.kind === 'server') {
      client = new Redis(t.url, options);
    } else {
      const { lazyConnect, enableOfflineQueue, ...perNode } = options;
      const cluster: ClusterOptions = {
        lazyConnect,
        enableOfflineQueue,
        redisOptions: { ...perNode, username: t.username, password: t.password, tls: t.tls ? {} : undefined },
      };
      client = new Cluster(t.nodes, cluster);
    }
    client.on('error', (err: Error) => this.log.warn({ error: err.message, role }, 'redis error'));
    return client;
  }
}
