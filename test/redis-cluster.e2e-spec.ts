import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import OpenAI from 'openai';
import { RedisConnections, RedisCounters, RedisResponseCache, type Database } from '@switchyard/store';
import { describeCountersContract } from '../libs/store/src/counters/counters.contract.mock';
import { describeResponseCacheContract } from '../libs/store/src/cache/response-cache.contract.mock';
import { closeTestDatabase, openTestDatabase } from '../libs/store/src/sql/test-database';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster';
import { ADMIN_KEY, startStack, type Stack, type StackSpec } from './support/stack';

// Switchyard's shared state on a real Redis Cluster: three masters started here from the stock
// redis-server (`redis+cluster://…` in REDIS_URL). The counters contract runs through a cluster
// client, each tenant's counters lie in one slot (hash tag) while tenants spread over the
// masters, and three gateways on the cluster hold a tenant's limit together, hear each other's
// key revocations (pub/sub crosses the nodes) and share the failed-key throttle.
// Needs redis-server and redis-cli on PATH. Without them this suite fails, saying so.

const quiet = { info: () => undefined, warn: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Switchyard on a Redis Cluster of three masters', () => {
  let cluster: RedisCluster;
  let redis: RedisConnections;
  const prefix = `switchyard-test-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    redis = new RedisConnections(cluster.url, quiet, prefix);
    await redis.connect();
  }, 60_000);
  afterAll(async () => {
    await redis?.close();
    await cluster?.stop();
  });

  describeCountersContract('RedisCounters through a cluster client', () => new RedisCounters(redis));
  // Purges scan every master and unlink key by key: a tenant's entries share a slot, tenants do not.
  describeResponseCacheContract('RedisResponseCache through a cluster client', () => new RedisResponseCache(redis, { timeoutMs: 2_000 }));

  it("keeps each tenant's counters in one slot, and spreads tenants over the masters", async () => {
    const counters = new RedisCounters(redis);
    const tenants = Array.from({ length: 12 }, () => randomUUID());
    for (const t of tenants) {
      // The keys one request of a tenant charges, as the gateway names them: one script, one slot.
      const keys = ['t:rpm', 't:tpm', 't:usd:d:2026-01-01', 'k:key_1:rpm'].map((k) => `{${t}}:${k}`);
      const verdict = await counters.checkAndAdd(keys.map((key) => ({ key, windowMs: 60_000, cost: 1, limit: 5 })));
      expect(verdict.allowed).toBe(true);
    }
    const masters = (redis.commands as Cluster).nodes('master');
    expect(masters).toHaveLength(3);
    const held = await Promise.all(masters.map((m) => m.keys(`${prefix}:counters:*`)));
    const tenantOf = (key: string) => /\{([^}]+)\}/.exec(key)![1];
    for (const t of tenants) {
      const nodes = held.filter((keys) => keys.some((k) => tenantOf(k) === t));
      expect(nodes).toHaveLength(1);
      expect(nodes[0].filter((k) => tenantOf(k) === t)).toHaveLength(4);
    }
    expect(held.filter((keys) => keys.length > 0).length).toBeGreaterThanOrEqual(2);
  });

  describe('three gateways on the cluster', () => {
    let db: Database;
    const stacks: Stack[] = [];
    const spec: Pick<StackSpec, 'backends' | 'models'> = {
      backends: [{ name: 'local', protocol: 'openai', models: ['m1'] }],
      models: [{ name: 'chat', targets: [{ backend: 'local', model: 'm1' }] }],
    };

    beforeAll(async () => {
      db = await openTestDatabase();
      const redisPrefix = `${prefix}-gw`;
      for (let i = 0; i < 3; i++) stacks.push(await startStack({ ...spec, database: db, redisUrl: cluster.url, redisPrefix }));
    }, 60_000);
    afterAll(async () => {
      await Promise.all(stacks.map((s) => s.close()));
      if (db) await closeTestDatabase(db);
    });

    async function admin(stack: Stack, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
      const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_KEY}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${stack.url}/admin/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {};
    }

    async function tenantKey(limits?: { rpm: number }): Promise<{ tenantId: string; keyId: string; key: string }> {
      const tenant = await admin(stacks[0], 'POST', '/tenants', { name: `t-${randomUUID().slice(0, 8)}`, limits });
      const key = await admin(stacks[0], 'POST', `/tenants/${tenant.id as string}/keys`, { name: 'ci' });
      return { tenantId: tenant.id as string, keyId: key.id as string, key: key.key as string };
    }

    const chat = (stack: Stack, key: string) =>
      fetch(`${stack.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
      });

    it('are ready, with Redis up and their breaker state and key invalidations shared through it', async () => {
      for (const s of stacks) {
        const ready = await fetch(`${s.url}/health/ready`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({ details: { redis: { status: 'up' } } });
        const messages = s.logs().map((l) => l.msg);
        expect(messages).toContain('breaker state shared through redis');
        expect(messages).toContain('key invalidations shared through redis');
      }
    });

    it("admit no more than a tenant's rpm together, under concurrent load", async () => {
      const rpm = 30;
      const t = await tenantKey({ rpm });
      let next = 0;
      const statuses: number[] = [];
      const started = Date.now();
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          while (next < 120 && Date.now() - started < 30_000) {
            const s = stacks[next++ % 3];
            try {
              await new OpenAI({ apiKey: t.key, baseURL: s.baseURL, maxRetries: 0 }).chat.completions.create({
                model: 'chat',
                messages: [{ role: 'user', content: 'hi' }],
              });
              statuses.push(200);
            } catch (err) {
              if (!(err instanceof OpenAI.APIError)) throw err;
              statuses.push(err.status ?? 0);
            }
          }
        }),
      );
      expect(statuses).toHaveLength(120);
      expect(statuses.filter((s) => s === 200)).toHaveLength(rpm);
      expect(statuses.filter((s) => s === 429)).toHaveLength(120 - rpm);
      const limits = await admin(stacks[2], 'GET', `/tenants/${t.tenantId}/limits`);
      expect(limits.counters).toEqual([expect.objectContaining({ kind: 'rpm', limit: rpm, used: rpm, remaining: 0 })]);
    });

    it('refuse a key revoked on one of them at once on the others: the invalidation crosses the nodes', async () => {
      const t = await tenantKey();
      for (const s of stacks) expect((await chat(s, t.key)).status).toBe(200);
      await admin(stacks[0], 'DELETE', `/keys/${t.keyId}`);
      const revokedAt = Date.now();
      const took = await Promise.all(
        [stacks[1], stacks[2]].map(async (s) => {
          while (Date.now() - revokedAt < 5_000) {
            if ((await chat(s, t.key)).status === 401) return Date.now() - revokedAt;
            await sleep(25);
          }
          return Infinity;
        }),
      );
      // Each had just accepted the key: its cache alone would have kept it for seconds.
      for (const ms of took) expect(ms).toBeLessThan(1_000);
    });

    // Last: it leaves this address blocked for unknown keys for a minute.
    it("share the failed-key throttle, whose script's two keys share a hash tag", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 25 && !statuses.includes(429); i++) statuses.push((await chat(stacks[i % 3], `sk-sy-guess-${randomUUID()}`)).status);
      // Twenty failures a minute per address, counted by all three; the test above made a few.
      expect(statuses[statuses.length - 1]).toBe(429);
      expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
      expect(statuses.length).toBeGreaterThan(15);
      for (const s of stacks) expect(s.logs().map((l) => l.msg)).not.toContain('throttle storage unreachable: not throttling until it is back');
    });
  });
});
