import { pino, type Logger } from 'pino';

/**
 * One named logger per module: `const log = createLogger('sync.push')`. Structured JSON on
 * stdout; LOG_LEVEL controls verbosity (tests default to `silent` unless LOG_LEVEL is set).
 */
const root = pino({
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: { service: 'oblako-api' },
  redact: {
    // Secrets must never reach a log line, wherever they appear in a logged object.
    paths: ['password', '*.password', 'token', '*.token', 'newPassword', 'currentPassword', 'req.headers.authorization'],
    censor: '[redacted]',
  },
});

export function createLogger(module: string): Logger {
  return root.child({ module });
}

export type { Logger };
