/**
 * Event ids as the gateway sends them: decimal strings of a 64-bit counter that grows in
 * commit order (per tenant). They are compared as BigInts, never as numbers (they may pass
 * 2^53) nor as strings ("9" sorts after "10").
 */

const DECIMAL = /^\d{1,20}$/;

/** Whether `value` is an event id: a non-negative decimal integer, as a string. */
export function isEventId(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL.test(value);
}

/** Whether `id` comes after `cursor` (always true without a cursor). */
export function isAfter(id: string, cursor: string | undefined): boolean {
  return cursor === undefined || BigInt(id) > BigInt(cursor);
}

/**
 * The default way to find an event's id: the `id` of the result's single root field, as in
 * `{ statusChanged: { id: "42", … } }`. A document with several root fields (aliases) says
 * which one carries the id with its own `idOf`.
 */
export function rootFieldId(data: unknown): string {
  if (typeof data !== 'object' || data === null) throw new TypeError(`data: expected an object, but got ${describe(data)}`);
  const fields = Object.keys(data);
  if (fields.length !== 1) {
    throw new TypeError(`data: expected exactly one root field (pass idOf for more), but got ${fields.length === 0 ? 'none' : fields.join(', ')}`);
  }
  const event = (data as Record<string, unknown>)[fields[0]!];
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  if (!isEventId(id)) throw new TypeError(`data.${fields[0]!}.id: expected a decimal event id, but got ${describe(id)}`);
  return id;
}

/** A short, safe rendering of a value for an error message. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // A BigInt or a cycle: the type says enough.
  }
  if (text === undefined) return `a ${typeof value}`;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
