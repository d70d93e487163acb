import { pino, type Logger } from 'pino';

/**
 * One named logger per module of the desktop services. JSON lines on stderr (stdout of the
 * browser-mode host is for the user); OBLAKO_LOG_LEVEL controls verbosity, tests are silent.
 */
const root = pino(
  {
    level: process.env.OBLAKO_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
    base: { service: 'oblako-desktop' },
    redact: { paths: ['password', '*.password', 'token', '*.token', 'params.password'], censor: '[redacted]' },
  },
  pino.destination(2),
);

export function createLogger(module: string): Logger {
  return root.child({ module });
}

export type { Logger };
