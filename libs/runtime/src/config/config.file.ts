import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig, type SwitchyardConfig } from '@switchyard/contracts';

/** The config file's text; a file that cannot be read is a ConfigError naming it. */
export function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** Reads and validates the config file (contracts' `parseConfig` does the pure part). */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): SwitchyardConfig {
  return parseConfig(readConfigFile(path), env, path);
}
