import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@switchyard/contracts';
import { loadConfigFile } from './config.file';

describe('the shipped configs', () => {
  it.each([['config/switchyard.yaml']])('%s is valid', (path) => {
    const config = loadConfigFile(path, {});
    expect(config.backends.length).toBeGreaterThan(0);
    expect(config.policy.privacy.onPii).toBe('local-only');
  });
});

describe('loadConfigFile', () => {
  it('names the file it cannot read, and the file whose content is invalid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-config-'));
    try {
      const path = join(dir, 'switchyard.yaml');
      expect(() => loadConfigFile(path, {})).toThrow(new ConfigError(`${path}: cannot read config file (ENOENT)`));
      writeFileSync(path, 'backends: 3');
      expect(() => loadConfigFile(path, {})).toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
