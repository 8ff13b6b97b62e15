import Redis from 'ioredis';
import { Client } from 'pg';

// Suites that run gateway processes on the real PostgreSQL and Redis: a database and a Redis key
// prefix of their own (so parallel or repeated runs never collide), connections that fail loudly
// when a service is missing, and one teardown that removes both.

/** A connection to PostgreSQL at `url`; throws, naming the service, when it cannot connect. */
export async function connectPostgres(url: string): Promise<Client> {
  const pg = new Client({ connectionString: url });
  try {
    await pg.connect();
  } catch (err) {
    throw new Error(`This suite needs PostgreSQL at ${new URL(url).host} (set DATABASE_URL): ${(err as Error).message}`);
  }
  return pg;
}

/** A connection to Redis at `url`; throws, naming the service, when it cannot connect. */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`This suite needs Redis at ${url} (set REDIS_URL): ${(err as Error).message}`);
  }
  return redis;
}

/** Creates database `name` through `pg` and returns its URL (`serverUrl` with that database). */
export async function createScratchDatabase(pg: Client, serverUrl: string, name: string): Promise<string> {
  await pg.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops the suite's database and deletes its Redis keys (those it names), then closes every connection it is given. */
export async function dropScratchStores(stores: { pg?: Client; database?: string; redis?: Redis; prefix?: string }): Promise<void> {
  const { pg, redis } = stores;
  if (pg) {
    if (stores.database !== undefined) await pg.query(`DROP DATABASE IF EXISTS ${stores.database} WITH (FORCE)`).catch(() => undefined);
    await pg.end();
  }
  if (redis) {
    if (stores.prefix !== undefined) {
      const left = await redis.keys(`${stores.prefix}:*`);
      if (left.length > 0) await redis.del(...left);
    }
    redis.disconnect();
  }
}
