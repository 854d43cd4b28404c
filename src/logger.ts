import { pino, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { currentRequestId } from './observability/request-context.js';

/** Log levels pino understands, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type { Logger };

/**
 * The process logger: JSON lines on stdout, or readable lines when stdout is a
 * terminal (and no destination is given). Secret values are wrapped in `Secret`
 * and print as "[redacted]"; the paths below catch the usual places a secret could
 * arrive in a log object by accident.
 *
 * Every line written while serving a request, or a dispatch made for one (its retries
 * included), carries the request's id as `requestId`.
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
      mixin: () => {
        const requestId = currentRequestId();
        return requestId === undefined ? {} : { requestId };
      },
    },
    destination ?? (process.stdout.isTTY ? pinoPretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }) : undefined),
  );
}
