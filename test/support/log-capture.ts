import { type LogLevel } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';

/** One JSON log line, parsed. */
export type LogEntry = Record<string, unknown> & { readonly msg?: string; readonly requestId?: string };

/** A logger that keeps every line it writes, for tests that read a gateway's logs. */
export interface CapturedLogs {
  readonly logger: Logger;
  /** The raw lines, as written. */
  readonly lines: string[];
  /** Every line so far, parsed. */
  entries(): LogEntry[];
}

export function captureLogs(level: LogLevel = 'debug'): CapturedLogs {
  const lines: string[] = [];
  return {
    logger: createLogger(level, { write: (line: string) => void lines.push(line) }),
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as LogEntry),
  };
}
