import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/errors.js';
import { requireApplicationId, requireStatusChangeId, requireUuid } from '../../src/domain/ids.js';
import { decodeLeadCursor, encodeLeadCursor } from '../../src/graphql/cursor.js';

function errorOf(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('page cursors', () => {
  it('round-trip the page key', () => {
    expect(decodeLeadCursor(encodeLeadCursor('42'), 'after')).toBe('42');
  });

  it.each(['', 'not a cursor', '!!!!', Buffer.from('lead:abc').toString('base64url'), Buffer.from('lead:0').toString('base64url'), Buffer.from('other:5').toString('base64url'), 'x'.repeat(200)])(
    'refuses %j, naming the argument',
    (cursor) => {
      const error = errorOf(() => decodeLeadCursor(cursor, 'after'));
      expect(error.kind).toBe('INVALID_INPUT');
      expect(error.field).toBe('after');
      expect(error.message).toMatch(/^after: expected a cursor returned by a previous page, but got /);
    },
  );
});

describe('id formats', () => {
  it('accepts UUIDs in any case and answers them lower-cased', () => {
    expect(requireUuid('3C90C3CC-0D44-4B50-8888-8DD25736052A', 'id')).toBe('3c90c3cc-0d44-4b50-8888-8dd25736052a');
  });

  it.each(['', 'abc', '3c90c3cc-0d44-4b50-8888-8dd25736052', "'; DROP TABLE lead; --"])('refuses the UUID %j', (value) => {
    expect(errorOf(() => requireUuid(value, 'input.leadId')).message).toMatch(/^input\.leadId: expected a UUID, but got /);
  });

  it('holds application ids to Lead Bank’s pattern', () => {
    expect(requireApplicationId('application_xyz123', 'id')).toBe('application_xyz123');
    for (const bad of ['application_', 'app_1', 'application_a-b', ' application_x']) {
      expect(errorOf(() => requireApplicationId(bad, 'id')).field).toBe('id');
    }
  });

  it('accepts status change ids that fit a bigint, and nothing else', () => {
    expect(requireStatusChangeId('0', 'after')).toBe('0');
    expect(requireStatusChangeId('9223372036854775807', 'after')).toBe('9223372036854775807');
    for (const bad of ['-1', '01', '1.5', 'abc', '9223372036854775808', '']) {
      expect(errorOf(() => requireStatusChangeId(bad, 'after')).field).toBe('after');
    }
  });

  it('cuts long values in messages', () => {
    const message = errorOf(() => requireUuid('x'.repeat(10_000), 'id')).message;
    expect(message.length).toBeLessThan(200);
  });
});
