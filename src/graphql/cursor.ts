import { invalidInput } from '../domain/errors.js';

const PREFIX = 'lead:';

/** An opaque page cursor for the lead at `seq` (its insertion order). */
export function encodeLeadCursor(seq: string): string {
  return Buffer.from(`${PREFIX}${seq}`, 'utf8').toString('base64url');
}

/** The `seq` inside a cursor this gateway issued; a bad-input error naming `field` otherwise. */
export function decodeLeadCursor(cursor: string, field: string): string {
  const decoded = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const seq = decoded.startsWith(PREFIX) ? decoded.slice(PREFIX.length) : '';
  if (!/^[1-9]\d{0,18}$/.test(seq)) throw invalidInput(field, 'a cursor returned by a previous page', cursor);
  return seq;
}
