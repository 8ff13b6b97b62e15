import type { SwitchyardConfig } from './config.schema';
import { backendSecrets } from './redact';

/** The logger call this makes (pino's shape). */
interface WarnLogger {
  warn(obj: object, msg: string): void;
}

/**
 * A cloud backend with no credential at all (its `apiKey` resolved to empty, no credential header)
 * can only fail: it is left out, with its chain targets and the models left with none, unless it
 * sets `allowClientKey`. One log line names what was left out. Both apps run every config they
 * start or reload on through this.
 */
export function leaveOutKeylessCloudBackends(config: SwitchyardConfig, logger?: WarnLogger): SwitchyardConfig {
  const keyless = config.backends.filter((b) => b.tier === 'cloud' && !b.allowClientKey && backendSecrets(b).length === 0);
  if (keyless.length === 0) return config;
  const gone = new Set(keyless.map((b) => b.name));
  const models = config.models.map((m) => ({ ...m, targets: m.targets.filter((t) => !gone.has(t.backend)) }));
  const emptied = models.filter((m) => m.targets.length === 0).map((m) => m.name);
  const names = [...gone];
  logger?.warn(
    { backends: names, models: emptied },
    `left out cloud backend${names.length > 1 ? 's' : ''} ${names.join(', ')}: no API key (apiKey is empty; set it, or allowClientKey: true to keep it)` +
      (emptied.length > 0 ? `; models with no target left: ${emptied.join(', ')}` : ''),
  );
  return {
    ...config,
    backends: config.backends.filter((b) => !gone.has(b.name)),
    models: models.filter((m) => m.targets.length > 0),
  };
}
