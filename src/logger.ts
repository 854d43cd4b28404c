import { pino, type Logger } from 'pino';
import { type LogLevel } from './config.js';

export type { Logger };

/**
 * The process logger: JSON lines on stdout. Secret values are wrapped in `Secret`
 * and print as "[redacted]"; the paths below catch the usual places a secret could
 * arrive in a log object by accident.
 */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'leadgraph' },
      redact: {
        paths: ['password', '*.password', 'authorization', '*.authorization', 'headers.authorization', 'databaseUrl'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
