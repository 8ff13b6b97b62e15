import type { TestingModule } from '@nestjs/testing';
import { ADMIN_PRINCIPAL } from '@switchyard/contracts';
import {
  COUNTERS,
  KEY_STORE,
  LEDGER_SINK,
  MemoryCounters,
  RedisCounters,
  RESPONSE_CACHE,
  type Counters,
  type KeyStore,
  type LedgerSink,
  type ResponseCache,
} from '@switchyard/store';
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
    await cache.set({ tenantId: 'admin', key: 'k' }, new Uint8Array([1]), 1000);
    expect(await cache.get({ tenantId: 'admin', key: 'k' })).toEqual(new Uint8Array([1]));
    await expect(module.get<LedgerSink>(LEDGER_SINK).write([])).resolves.toBeUndefined();
  });

  it('keeps counters in memory without Redis, and in Redis with it (shared by every replica)', async () => {
    expect(module.get(COUNTERS)).toBeInstanceOf(MemoryCounters);
    // Nothing is sent until a counter is used, so no Redis need be running here.
    const withRedis = await storeTestingModule({ redisUrl: 'redis://127.0.0.1:1' });
    expect(withRedis.get(COUNTERS)).toBeInstanceOf(RedisCounters);
    await withRedis.close();
  });
});
