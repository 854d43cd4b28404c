import { type Driver, type ValueTransformer } from 'typeorm';
import { type ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { DateUtils } from 'typeorm/util/DateUtils.js';

/** Turns a value as read from PostgreSQL (a row, or `row_to_json`) into the entity property's value. */
export type Hydrator = (value: unknown) => unknown;

/**
 * Column types no branch of TypeORM's `PostgresDriver.prepareHydratedValue` converts:
 * their values are kept as read. (Its branches test the `Boolean` and `Number`
 * constructors, not the strings `'boolean'` and `'integer'` our entities declare.)
 */
const AS_READ: ReadonlySet<unknown> = new Set(['text', 'uuid', 'integer', 'bigint', 'double precision', 'boolean', 'jsonb', 'json']);

/** The types `prepareHydratedValue` turns into a `Date` (`DateUtils.normalizeHydratedDate`). */
const DATE_TIMES: ReadonlySet<unknown> = new Set([
  'datetime',
  Date,
  'timestamp',
  'timestamptz',
  'timestamp with time zone',
  'timestamp without time zone',
]);

/**
 * The conversion `driver.prepareHydratedValue(value, column)` applies to `column`,
 * decided once for the column instead of for every value; undefined when there is
 * none (the value is kept as read). The same result for every value: the types above
 * and one transformer are taken apart here; anything else (arrays of transformers,
 * dates, enums, the other drivers' types) calls the driver itself.
 * `test/integration/column-hydrator.test.ts` compares the two on every column of every entity.
 */
export function columnHydrator(driver: Driver, column: ColumnMetadata): Hydrator | undefined {
  const transformer = column.transformer;
  if (Array.isArray(transformer) || (!AS_READ.has(column.type) && !DATE_TIMES.has(column.type))) {
    return (value) => driver.prepareHydratedValue(value, column) as unknown;
  }
  const convert: Hydrator | undefined = DATE_TIMES.has(column.type) ? (value) => DateUtils.normalizeHydratedDate(value as Date | string) : undefined;
  return converted(transformer, convert);
}

/** Whether `column` holds an instant (hydrated as a `Date`), which `RowMapper.jsonArray` reads as epoch microseconds. */
export function isInstantColumn(column: ColumnMetadata): boolean {
  return DATE_TIMES.has(column.type) && !Array.isArray(column.transformer);
}

/**
 * {@link columnHydrator} for an instant column read as its epoch microseconds (a JSON
 * number, see {@link isInstantColumn}): the same `Date`, made from a number instead of
 * parsed from PostgreSQL's text (which keeps the milliseconds and drops the rest: floored
 * here likewise, before 1970 too), then the column's transformer as the driver applies it.
 */
export function epochMicrosHydrator(column: ColumnMetadata): Hydrator {
  const fromMicros: Hydrator = (value) => new Date(Math.floor((value as number) / 1000));
  return converted(column.transformer as ValueTransformer | undefined, fromMicros) ?? fromMicros;
}

/**
 * `convert` (if any) then `transformer` (if any), as the driver applies them: null and
 * undefined reach the transformer unconverted, anything else converted.
 */
function converted(transformer: ValueTransformer | undefined, convert: Hydrator | undefined): Hydrator | undefined {
  const nonNull: Hydrator | undefined = convert && ((value) => (value === null || value === undefined ? value : convert(value)));
  if (transformer === undefined) return nonNull;
  if (nonNull === undefined) return (value) => transformer.from(value) as unknown;
  return (value) => transformer.from(nonNull(value)) as unknown;
}
