import pino, { type Logger, type LoggerOptions } from 'pino';
import { redactSecrets, secretValues } from '@switchyard/contracts';

export type { Logger } from 'pino';

/** Field paths that may hold credentials; pino replaces their values before a line is written. */
export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'authorization',
  '["x-api-key"]',
  'adminKey',
];

export interface LoggerSettings {
  level?: string;
  /** Write synchronously (tests, short-lived commands); otherwise lines are buffered off the request path. */
  sync?: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'switchyard' },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    // Messages and error texts can quote upstream answers; mask key-like strings in them too.
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = redactSecrets(args[i] as string);
        method.apply(this, args);
      },
      // Configured secret values are masked in the whole line, whichever field carries them.
      streamWrite: (line) => (secretValues.size > 0 ? secretValues.redact(line) : line),
    },
    serializers: { err: (err: Error) => ({ type: err.name, message: redactSecrets(err.message) }) },
  };
  if (settings.destination) return pino(options, settings.destination as pino.DestinationStream);
  if (settings.sync) return pino(options, pino.destination({ sync: true }));
  // Lines are written in batches of ~4 KiB (one syscall each), flushed at least every 250 ms
  // and on exit, instead of one write per line on the request path.
  const dest = pino.destination({ sync: false, minLength: 4096 });
  setInterval(() => dest.flush(), 250).unref();
  process.once('exit', () => {
    try {
      dest.flushSync();
    } catch {
      // Not open yet: nothing was buffered.
    }
  });
  return pino(options, dest);
}
