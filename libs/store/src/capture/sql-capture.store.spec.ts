import { randomUUID } from 'node:crypto';
import type { Database } from '../sql/database';
import { migrate } from '../sql/migrations';
import { closeTestDatabase, openTestDatabase, testDatabaseName } from '../sql/test-database';
import { SqlCaptureStore } from './sql-capture.store';

describe(`SqlCaptureStore on ${testDatabaseName}`, () => {
  let db: Database;
  let store: SqlCaptureStore;

  beforeAll(async () => {
    db = await openTestDatabase();
    await migrate(db);
    store = new SqlCaptureStore(db);
  });
  afterAll(() => closeTestDatabase(db));

  it('keeps a batch, each once, and reads the newest of a request id back within its tenant', async () => {
    const id = randomUUID();
    const at = Date.UTC(2026, 10, 30, 9, 0, 0, 123);
    const request = { model: 'chat', messages: [{ role: 'user', content: 'Mail [EMAIL_1]' }] };
    await store.write([
      { requestId: id, startedAt: at, tenantId: 'acme', request, response: { text: 'ok' } },
      { requestId: id, startedAt: at + 1000, tenantId: 'acme', request: { again: true } },
    ]);
    // A replay of the same exchange changes nothing.
    await store.write([{ requestId: id, startedAt: at, tenantId: 'acme', request: { replayed: true } }]);
    expect(await store.read(id)).toEqual({ requestId: id, startedAt: at + 1000, tenantId: 'acme', request: { again: true } });
    expect(await store.read(id, 'acme')).toMatchObject({ startedAt: at + 1000 });
    expect(await store.read(id, 'other')).toBeUndefined();
    const rows = await db.query<{ request: unknown; response: unknown }>(
      'SELECT request, response FROM request_captures WHERE request_id = $1 AND created_at = $2',
      [id, new Date(at).toISOString()],
    );
    expect(rows).toEqual([{ request, response: { text: 'ok' } }]);
  });

  it('prunes by age', async () => {
    const old = randomUUID();
    const fresh = randomUUID();
    await store.write([
      { requestId: old, startedAt: Date.UTC(2020, 0, 1), tenantId: 't', request: {} },
      { requestId: fresh, startedAt: Date.now(), tenantId: 't', request: {} },
    ]);
    expect(await store.prune(new Date(Date.UTC(2021, 0, 1)))).toBeGreaterThanOrEqual(1);
    expect(await store.read(old)).toBeUndefined();
    expect(await store.read(fresh)).toBeDefined();
  });

  it('takes an empty batch', async () => {
    await expect(store.write([])).resolves.toBeUndefined();
  });
});
