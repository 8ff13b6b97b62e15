import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** The one logger call the watcher makes (pino's shape). */
interface WarnLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Calls `onChange` (debounced) when the config file may have changed. It watches the file's
 * directory, not the file: editors save by writing a new file and renaming it over the old one,
 * and a Kubernetes ConfigMap volume swaps a `..data` symlink; a watch on the file itself would
 * follow the old inode and go quiet after the first such save.
 */
export class ConfigWatcher {
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly path: string,
    private readonly onChange: () => void,
    private readonly logger: WarnLogger,
    private readonly debounceMs = 200,
  ) {}

  start(): void {
    if (this.watcher) return;
    const file = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, name) => {
        // No name (some platforms), the file itself, or a ConfigMap's `..data` swap.
        if (name === null || name === file || name.startsWith('..')) this.schedule();
      });
      this.watcher.on('error', (err) => this.logger.warn({ err, path: this.path }, 'config watch failed; reload with SIGHUP'));
    } catch (err) {
      this.logger.warn({ err, path: this.path }, 'cannot watch the config file; reload with SIGHUP');
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onChange();
    }, this.debounceMs);
    this.timer.unref();
  }
}
