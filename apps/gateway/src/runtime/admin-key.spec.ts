import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminKeyNotice, resolveAdminKey, resolveServerSecret } from './admin-key';

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

  it('prints a new key once, and on every later start says where it is stored, never the key', () => {
    const d = dir();
    const path = join(d, 'admin-key');
    const first = resolveAdminKey({}, d);
    expect(adminKeyNotice(first)).toContain(first.key);
    expect(adminKeyNotice(first)).toContain(path);
    const again = adminKeyNotice(resolveAdminKey({}, d));
    expect(again).toBe(`Admin key: stored in ${path} (e.g. KEY=$(cat ${path}); set SWITCHYARD_ADMIN_KEY to choose your own)\n`);
    expect(again).not.toContain(first.key);
    expect(adminKeyNotice(resolveAdminKey({ SWITCHYARD_ADMIN_KEY: 'sy-mine' }, d))).toBe('Admin key: from SWITCHYARD_ADMIN_KEY\n');
  });
});

describe('resolveServerSecret', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'switchyard-secret-'));

  it('uses SWITCHYARD_SECRET when set, else makes one once and keeps it privately', () => {
    const d = dir();
    expect(resolveServerSecret({ SWITCHYARD_SECRET: 'mine' }, d)).toBe('mine');
    const made = resolveServerSecret({}, d);
    expect(made).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(d, 'secret')).mode & 0o777).toBe(0o600);
    expect(resolveServerSecret({}, d)).toBe(made);
  });
});

describe('a worker of SWITCHYARD_WORKERS (create: false)', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'switchyard-worker-'));

  it('reads what the primary stored, and never makes a key or secret of its own', () => {
    const d = dir();
    expect(() => resolveAdminKey({}, d, { create: false })).toThrow(/admin-key is missing or empty: the primary process stores it/);
    expect(() => resolveServerSecret({}, d, { create: false })).toThrow(/secret is missing or empty/);
    expect(() => statSync(join(d, 'admin-key'))).toThrow();
    const admin = resolveAdminKey({}, d);
    const secret = resolveServerSecret({}, d);
    expect(resolveAdminKey({}, d, { create: false })).toEqual({ key: admin.key, generated: false, path: join(d, 'admin-key') });
    expect(resolveServerSecret({}, d, { create: false })).toBe(secret);
    expect(resolveAdminKey({ SWITCHYARD_ADMIN_KEY: 'sy-mine' }, dir(), { create: false }).key).toBe('sy-mine');
  });
});
