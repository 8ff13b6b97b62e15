import { Cluster } from 'ioredis';
import { parseRedisTarget, RedisConnections } from './redis-connections';

const quiet = { info: () => undefined, warn: () => undefined };

describe('parseRedisTarget', () => {
  it('takes any other URL as one server, as ioredis reads it', () => {
    expect(parseRedisTarget('redis://127.0.0.1:6379')).toEqual({ kind: 'server', url: 'redis://127.0.0.1:6379' });
    expect(parseRedisTarget('rediss://:pw@redis.internal:6380/2')).toEqual({ kind: 'server', url: 'rediss://:pw@redis.internal:6380/2' });
  });

  it.each([
    ['redis+cluster://10.0.0.1:7000', { nodes: [{ host: '10.0.0.1', port: 7000 }], tls: false }],
    [
      'redis+cluster://a.redis:7000,b.redis:7001, c.redis:7002/',
      {
        nodes: [
          { host: 'a.redis', port: 7000 },
          { host: 'b.redis', port: 7001 },
          { host: 'c.redis', port: 7002 },
        ],
        tls: false,
      },
    ],
    ['REDISS+CLUSTER://app:s%40cret@[::1]:7000', { nodes: [{ host: '::1', port: 7000 }], tls: true, username: 'app', password: 's@cret' }],
    ['redis+cluster://:only-password@h:1', { nodes: [{ host: 'h', port: 1 }], tls: false, password: 'only-password' }],
  ])('reads the seed nodes of a cluster from %s', (url, expected) => {
    expect(parseRedisTarget(url)).toEqual({ kind: 'cluster', username: undefined, password: undefined, ...expected });
  });

  it.each([
    'redis+cluster://',
    'redis+cluster://host',
    'redis+cluster://host:0',
    'redis+cluster://h:1,,h:2',
    'redis+cluster://user:hunter2@h:99999',
    'redis+cluster://user:hunter2',
  ])('refuses a cluster URL without host:port nodes, %s, never echoing a password', (url) => {
    let message = '';
    try {
      parseRedisTarget(url);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^REDIS_URL: a cluster URL lists its nodes as host:port/);
    expect(message).not.toContain('hunter2');
  });
});

describe('RedisConnections', () => {
  it('opens cluster clients for a cluster URL, without connecting until asked', async () => {
    const redis = new RedisConnections('redis+cluster://127.0.0.1:1,127.0.0.1:2', quiet, 'p');
    expect(redis.cluster).toBe(true);
    expect(redis.commands).toBeInstanceOf(Cluster);
    expect(redis.commands.status).toBe('wait');
    await redis.close();
  });
});
