import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestingModule } from '@nestjs/testing';
import { ADMIN_PRINCIPAL, parseConfig } from '@switchyard/contracts';
import {
  COUNTERS,
  LeasedCounters,
  KEY_STORE,
  LEDGER_SINK,
  LazyDatabase,
  MemoryCounters,
  MemoryLedgerSink,
  SqlLedgerSink,
  SqlUsageQuery,
  USAGE_QUERY,
  type UsageQuery,
  RedisCounters,
  RESPONSE_CACHE,
  type Counters,
  type KeyStore,
  type LedgerSink,
  type ResponseCache,
} from '@switchyard/store';
import { outcome } from '../../../../libs/store/src/ledger/ledger-sink.contract.mock';
import { DATABASE } from './store.module';
import { storeTestingModule, TEST_ADMIN_KEY } from './store-testing.mock';

describe('StoreModule', () => {
  let module: TestingModule;
  beforeAll(async () => {
    module = await storeTestingModule();
  });
  afterAll(() => module.close());

  it('registers the admin key at start, as the principal of the built-in admin tenant', async () => {
    const keys = module.get<KeyStore>(KEY_STORE);
    expect(await keys.resolve(TEST_ADMIN_KEY)).toEqual(ADMIN_PRINCIPAL);
    expect(await keys.resolve(`${TEST_ADMIN_KEY}-not`)).toBeUndefined();
  });

  it('provides every port by its token', async () => {
    const counters = module.get<Counters>(COUNTERS);
    expect((await counters.checkAndAdd([{ key: 'k', windowMs: 1000, cost: 1, limit: 1 }])).allowed).toBe(true);
    const cache = module.get<ResponseCache>(RESPONSE_CACHE);
    await cache.set({ tenantId: 'admin', model: 'chat', key: 'k' }, new Uint8Array([1]), 1000);
    expect(await cache.get({ tenantId: 'admin', model: 'chat', key: 'k' })).toEqual(new Uint8Array([1]));
    await expect(module.get<LedgerSink>(LEDGER_SINK).write([])).resolves.toBeUndefined();
  });

  it('keeps counters in memory without Redis, and in Redis with it (shared by every replica), leased unless leaseShare is 0', async () => {
    expect(module.get(COUNTERS)).toBeInstanceOf(MemoryCounters);
    // Nothing is sent until a counter is used, so no Redis need be running here.
    const withRedis = await storeTestingModule({ redisUrl: 'redis://127.0.0.1:1' });
    expect(withRedis.get(COUNTERS)).toBeInstanceOf(LeasedCounters);
    await withRedis.close();
    const config = parseConfig(
      JSON.stringify({
        backends: [{ name: 'b', protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', tier: 'local', models: ['m'] }],
        limits: { leaseShare: 0 },
      }),
      {},
    );
    const unleased = await storeTestingModule({ redisUrl: 'redis://127.0.0.1:1', config });
    expect(unleased.get(COUNTERS)).toBeInstanceOf(RedisCounters);
    await unleased.close();
  });

  it('keeps the ledger in memory without a database, with nothing to query usage from', () => {
    expect(module.get(LEDGER_SINK)).toBeInstanceOf(MemoryLedgerSink);
    expect(module.get(USAGE_QUERY)).toBeNull();
  });

  it('writes the ledger to the database when there is one: opened at start (not under traffic), and shutdown flushes it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-store-'));
    const withDb = await storeTestingModule({ databaseOptions: { dataDir }, serverSecret: 'spec-secret' });
    const sink = withDb.get<LedgerSink>(LEDGER_SINK);
    expect(sink).toBeInstanceOf(SqlLedgerSink);
    expect(withDb.get(USAGE_QUERY)).toBeInstanceOf(SqlUsageQuery);
    // With the ledger on, every request writes to it: the database is opened before the gateway listens.
    expect(withDb.get<LazyDatabase>(DATABASE).started).toBe(true);

    await sink.write([outcome('store-module', 1)]);
    await sink.flush();
    // Nothing was spooled, so no spool directory was made.
    expect(existsSync(join(dataDir, 'ledger-spool'))).toBe(false);
    expect(await withDb.get<UsageQuery>(USAGE_QUERY).request('store-module-0001')).toEqual(outcome('store-module', 1));
    await sink.write([outcome('store-module', 2)]);
    await withDb.close();
    const reopened = new LazyDatabase({ dataDir });
    try {
      expect(await reopened.query('SELECT request_id FROM usage_ledger ORDER BY request_id')).toEqual([
        { request_id: 'store-module-0001' },
        { request_id: 'store-module-0002' },
      ]);
    } finally {
      await reopened.close();
    }
  }, 90_000);

  it('leaves a database it would open itself unopened while the ledger is off, until something needs it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-store-'));
    const config = parseConfig(
      JSON.stringify({
        backends: [{ name: 'b', protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', tier: 'local', models: ['m'] }],
        usage: { enabled: false },
      }),
      {},
    );
    const quiet = await storeTestingModule({ config, databaseOptions: { dataDir }, serverSecret: 'spec-secret' });
    try {
      expect(quiet.get<LazyDatabase>(DATABASE).started).toBe(false);
    } finally {
      await quiet.close();
    }
  });
});
