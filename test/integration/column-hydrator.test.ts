import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataSource } from 'typeorm';
import { columnHydrator } from '../../src/db/column-hydrator.js';
import { createDataSource } from '../../src/db/data-source.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** Values of every shape a row or `row_to_json` can hold, and some it cannot. */
const VALUES: readonly unknown[] = [
  null,
  undefined,
  '',
  'text',
  '2026-12-06T03:04:05.678+00:00',
  '2026-12-06T03:04:05.678912',
  '2026-12-06',
  '12',
  '-9007199254740993',
  12,
  1.5,
  0,
  true,
  false,
  { nested: { value: 1 } },
  ['a', 'b'],
  new Date(Date.UTC(2026, 11, 6, 3, 4, 5, 678)),
];

/** A value as a string that tells apart what equality of objects would not (a Date from its ISO text, an invalid Date). */
function shapeOf(value: unknown): string {
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`;
  return `${typeof value}:${JSON.stringify(value)}`;
}

describe('a column hydrator chosen once per column', () => {
  let database: TestDatabase;
  let db: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDataSource({ url: database.url, poolSize: 1 });
    await db.initialize();
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('converts every value of every column of every entity as TypeORM\'s driver does', () => {
    let compared = 0;
    for (const entity of db.entityMetadatas) {
      for (const column of entity.columns) {
        const hydrate = columnHydrator(db.driver, column);
        for (const value of VALUES) {
          const expected = shapeOf(db.driver.prepareHydratedValue(value, column));
          const actual = shapeOf(hydrate === undefined ? value : hydrate(value));
          expect(`${entity.name}.${column.propertyName} (${String(column.type)}) of ${shapeOf(value)}: ${actual}`).toBe(
            `${entity.name}.${column.propertyName} (${String(column.type)}) of ${shapeOf(value)}: ${expected}`,
          );
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100 * VALUES.length);
  });
});
