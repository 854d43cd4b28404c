import { invalidInput } from '../domain/errors.js';

/**
 * PostgreSQL cannot store U+0000 in `text` or `jsonb`: a string carrying it would
 * fail deep inside a statement. Every string argument, however nested, is checked
 * here first, so it is the caller's error with the field at fault.
 */
export function assertStorableText(args: Readonly<Record<string, unknown>>): void {
  for (const [name, value] of Object.entries(args)) {
    // Nearly every input has none: looked for first without making the path of every value.
    if (!holdsNul(value)) continue;
    const path = nulPath(value, name);
    if (path !== undefined) {
      throw invalidInput(path, 'text without the NUL character (U+0000), which cannot be stored', 'text containing it');
    }
  }
}

/** Whether a string in `value` (a key too) holds U+0000. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (key.includes('\u0000') || holdsNul((value as Record<string, unknown>)[key])) return true;
    }
  }
  return false;
}

/** The path of the first string holding U+0000, if any. */
function nulPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulPath(item, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) {
      // A key can carry it too (inside JSON objects such as metadata).
      if (key.includes('\u0000')) return `${path}.${key.replaceAll('\u0000', '\\u0000')}`;
      const found = nulPath(item, `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
