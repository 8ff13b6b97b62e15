import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LazyDatabase } from './lazy-database';
import { MIGRATIONS } from './migrations';

describe('LazyDatabase', () => {
  it('starts nothing until its first query, then opens and migrates once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-lazy-'));
    const db = new LazyDatabase({ dataDir });
    expect(db.started).toBe(false);
    expect(existsSync(join(dataDir, 'pglite'))).toBe(false);
    try {
      const [a, b] = await Promise.all([
        db.query<{ version: number }>('SELECT version FROM switchyard_migrations ORDER BY version'),
        db.query<{ name: string }>("SELECT name FROM tenants WHERE id = 'admin'"),
      ]);
      expect(a.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(b).toEqual([{ name: 'admin' }]);
      expect(db.started).toBe(true);
      expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
      // Having migrated, it restarted PGlite from the files: what it writes now is kept on disk.
      await db.exec("INSERT INTO tenants (id, name) VALUES ('t-lazy', 'kept')");
    } finally {
      await db.close();
    }
    const again = new LazyDatabase({ dataDir });
    try {
      expect(await again.query("SELECT name FROM tenants WHERE id = 't-lazy'")).toEqual([{ name: 'kept' }]);
    } finally {
      await again.close();
    }
  }, 60_000);

  it('tries again on the next query when opening failed', async () => {
    const db = new LazyDatabase({ url: 'postgres://nobody@127.0.0.1:1/none' });
    await expect(db.query('SELECT 1')).rejects.toThrow();
    expect(db.started).toBe(false);
    await expect(db.exec('SELECT 1')).rejects.toThrow();
    await db.close();
  });
});
