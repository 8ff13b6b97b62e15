import { PgliteThread } from './pglite-thread';

describe('PGlite on a thread of its own', () => {
  let db: PgliteThread;
  beforeAll(async () => {
    db = new PgliteThread(undefined);
    await db.open('CREATE SCHEMA IF NOT EXISTS t; SET search_path TO t; CREATE TABLE items (id int PRIMARY KEY, at timestamptz, doc jsonb, raw bytea)');
  }, 60_000);
  afterAll(() => db.close());

  it('leaves the event loop free while a statement runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = Date.now();
    // Long enough to span many timer periods.
    const [row] = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM generate_series(1, 3000000) a, generate_series(1, 2) b');
    const took = Date.now() - started;
    clearInterval(timer);
    expect(row.n).toBe('6000000');
    expect(took).toBeGreaterThan(50);
    // On the caller's thread the timer could not fire until the statement ended.
    expect(ticks).toBeGreaterThan(2);
  });

  it('carries values both ways: dates, JSON, bytes, null', async () => {
    const at = new Date('2026-11-30T12:00:00.000Z');
    await db.query('INSERT INTO items (id, at, doc, raw) VALUES ($1, $2, $3, $4)', [1, at, JSON.stringify({ a: [1, 'x'] }), Buffer.from([0, 255, 7])]);
    await db.query('INSERT INTO items (id, at, doc, raw) VALUES ($1, $2, $3, $4)', [2, null, null, null]);
    const rows = await db.query<{ id: number; at: Date | null; doc: unknown; raw: Uint8Array | null }>('SELECT * FROM items ORDER BY id');
    expect(rows[0].at).toEqual(at);
    expect(rows[0].doc).toEqual({ a: [1, 'x'] });
    expect([...rows[0].raw!]).toEqual([0, 255, 7]);
    expect(rows[1]).toEqual({ id: 2, at: null, doc: null, raw: null });
  });

  it("rejects with PostgreSQL's error code", async () => {
    await expect(db.query('INSERT INTO items (id) VALUES (1)')).rejects.toMatchObject({ code: '23505', message: expect.stringMatching(/duplicate key/) });
    await expect(db.query('SELECT nope FROM items')).rejects.toMatchObject({ code: '42703' });
  });

  it('commits a transaction whole, rolls a failed one back whole, and keeps other statements out meanwhile', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO items (id) VALUES (10)');
      await tx.exec('INSERT INTO items (id) VALUES (11)');
    });
    const failure = new Error('changed my mind');
    let outside: Promise<unknown> | undefined;
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO items (id) VALUES (12)');
        // Issued while the transaction is open: it runs after it ended, so it never sees row 12.
        outside = db.query<{ id: number }>('SELECT id FROM items WHERE id >= 10 ORDER BY id');
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await outside).toEqual([{ id: 10 }, { id: 11 }]);
    expect(await db.query('SELECT id FROM items WHERE id >= 10 ORDER BY id')).toEqual([{ id: 10 }, { id: 11 }]);
    // A statement that fails inside rolls the transaction back too, and the database goes on.
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO items (id) VALUES (13)');
        await tx.query('INSERT INTO items (id) VALUES (10)');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await db.query('SELECT count(*)::int AS n FROM items WHERE id = 13')).toEqual([{ n: 0 }]);
  });

  it('refuses statements once closed', async () => {
    const other = new PgliteThread(undefined);
    await other.open('SELECT 1');
    expect(await other.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await other.close();
    await expect(other.query('SELECT 1')).rejects.toThrow(/closed/);
  }, 60_000);
});
