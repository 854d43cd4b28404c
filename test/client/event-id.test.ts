import { isAfter, isEventId, rootFieldId } from 'leadgraph/client';
import { describe, expect, it } from 'vitest';

describe('event ids', () => {
  it('compares as integers, past 2^53 and across lengths, never as strings or floats', () => {
    expect(isAfter('10', '9')).toBe(true);
    expect(isAfter('9', '10')).toBe(false);
    expect(isAfter('9007199254740993', '9007199254740992')).toBe(true);
    expect(isAfter('42', '42')).toBe(false);
    expect(isAfter('042', '41')).toBe(true);
    expect(isAfter('1', undefined)).toBe(true);
  });

  it('are non-negative decimal strings of at most 20 digits', () => {
    expect(['0', '42', '9223372036854775807'].every(isEventId)).toBe(true);
    expect([42, '-1', '1.5', '', ' 1', '1e3', '123456789012345678901', null].some(isEventId)).toBe(false);
  });

  it('are read by default from the single root field of a result', () => {
    expect(rootFieldId({ statusChanged: { id: '7', to: 'OK' } })).toBe('7');
    expect(() => rootFieldId({ a: { id: '1' }, b: { id: '2' } })).toThrow('data: expected exactly one root field (pass idOf for more), but got a, b');
    expect(() => rootFieldId({ statusChanged: { id: 7 } })).toThrow('data.statusChanged.id: expected a decimal event id, but got 7');
    expect(() => rootFieldId({ statusChanged: null })).toThrow('data.statusChanged.id: expected a decimal event id, but got nothing');
    expect(() => rootFieldId(null)).toThrow('data: expected an object, but got null');
  });
});
