import { STATUS_CODES } from 'node:http';

/** The reason phrase of an HTTP status, as a sandbox's error body titles it (`Error` for a status Node does not name). */
export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
