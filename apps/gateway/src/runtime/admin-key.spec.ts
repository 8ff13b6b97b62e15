import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAdminKey } from './admin-key';

describe('resolveAdminKey', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'switchyard-key-'));

  it('uses SWITCHYARD_ADMIN_KEY when set, writing nothing', () => {
    const d = dir();
    expect(resolveAdminKey({ SWITCHYARD_ADMIN_KEY: ' sy-mine ' }, d)).toEqual({ key: 'sy-mine', generated: false });
    expect(() => statSync(join(d, 'admin-key'))).toThrow();
  });

  it('generates a key once, stores it privately, and keeps it across restarts', () => {
    const d = join(dir(), 'nested');
    const first = resolveAdminKey({}, d);
    expect(first.generated).toBe(true);
    expect(first.key).toMatch(/^sy-admin-[A-Za-z0-9_-]{32}$/);
    expect(readFileSync(join(d, 'admin-key'), 'utf8').trim()).toBe(first.key);
    expect(statSync(join(d, 'admin-key')).mode & 0o777).toBe(0o600);
    const second = resolveAdminKey({}, d);
    expect(second).toMatchObject({ key: first.key, generated: false });
  });
});
