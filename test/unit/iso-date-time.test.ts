import { GraphQLISODateTime } from 'type-graphql';
import { describe, expect, it } from 'vitest';
import { DateTimeISOScalar, isoString } from '../../src/graphql/iso-date-time.js';

/** Instants spread over the years 1000 to 9999 and every millisecond pattern, plus the edges. */
function instants(): Date[] {
  const dates: Date[] = [];
  const first = Date.UTC(1000, 0, 1);
  const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  for (let i = 0; i < 20_000; i++) dates.push(new Date(first + Math.floor(((last - first) / 20_000) * i) + (i % 1000)));
  for (const ms of [0, 1, 9, 10, 99, 100, 999]) dates.push(new Date(Date.UTC(2026, 11, 6, 9, 5, 7, ms)));
  dates.push(new Date(first), new Date(last), new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)));
  return dates;
}

describe('DateTimeISO serializes as toISOString does, faster', () => {
  it('gives the very string of toISOString for the years 1000 to 9999', () => {
    const wrong = instants().filter((date) => isoString(date) !== date.toISOString());
    expect(wrong).toEqual([]);
  });

  it('hands years outside 1000 to 9999 to toISOString (expanded years, year 0)', () => {
    for (const date of [new Date(Date.UTC(999, 11, 31, 23, 59, 59, 999)), new Date(Date.UTC(10000, 0, 1)), new Date(-62198755200000), new Date(8.64e15)]) {
      expect(isoString(date)).toBe(date.toISOString());
    }
  });

  it('answers and refuses as the original scalar for everything else', () => {
    const original = (value: unknown) => {
      try {
        return { value: GraphQLISODateTime.serialize(value) as unknown };
      } catch (error) {
        return { error: (error as Error).message };
      }
    };
    const ours = (value: unknown) => {
      try {
        return { value: DateTimeISOScalar.serialize(value) as unknown };
      } catch (error) {
        return { error: (error as Error).message };
      }
    };
    for (const value of [new Date(Number.NaN), '2026-12-06T10:00:00.000Z', '2026-12-06T10:00:00+02:00', 'not a date', 1_780_000_000_000, true, null, {}]) {
      expect(ours(value)).toEqual(original(value));
    }
    expect(DateTimeISOScalar.toConfig()).toMatchObject({ name: GraphQLISODateTime.name, description: GraphQLISODateTime.description });
  });
});
