import { type DataSource, type EntityManager, type ObjectLiteral } from 'typeorm';
import { type ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { columnHydrator, epochMicrosHydrator, type Hydrator, isInstantColumn } from './column-hydrator.js';
import { queryPrepared } from './prepared-statement.js';

/** One column as {@link RowMapper.map} reads it: where from, where to, and its conversion (none: as read). */
interface MappedColumn {
  readonly databaseName: string;
  readonly propertyName: string;
  readonly hydrate: Hydrator | undefined;
}

/** One record as a JSON array: how a statement selects it, and how its values become the entity ({@link RowMapper.jsonArray}). */
export interface JsonArrayColumns<E> {
  /** The columns, in the array's order. */
  readonly columns: readonly string[];
  /** `json_build_array(alias."col", …)`, instants as epoch microseconds. */
  sql(alias: string): string;
  map(values: readonly unknown[]): E;
}

/**
 * Entities from rows read with hand-written SQL: the select list of every column, and
 * each row turned into an entity exactly as TypeORM's own `find` hydrates it (the
 * driver's conversion per column type, then the column's transformer).
 *
 * For the read paths a page of leads takes many times per request: there TypeORM's
 * query builder and result transformer cost more CPU than PostgreSQL spends on the
 * statements (bench/README.md, read). Writes keep using the repositories.
 */
export class RowMapper<E extends ObjectLiteral> {
  private static readonly made = new WeakMap<DataSource, Map<unknown, RowMapper<ObjectLiteral>>>();

  /** The mapper of `target` on `db`, made once (its select list is computed from the metadata). */
  static of<E extends ObjectLiteral>(db: DataSource, target: new () => E): RowMapper<E> {
    let mappers = RowMapper.made.get(db);
    if (mappers === undefined) RowMapper.made.set(db, (mappers = new Map<unknown, RowMapper<ObjectLiteral>>()));
    let mapper = mappers.get(target) as RowMapper<E> | undefined;
    if (mapper === undefined) {
      mapper = new RowMapper(db, target);
      mappers.set(target, mapper);
    }
    return mapper;
  }

  private readonly columns: readonly ColumnMetadata[];
  /**
   * Each column's conversion, chosen once: the driver's `prepareHydratedValue` tests the
   * column's type against a dozen cases for every value of every row, and a page of leads
   * with their records maps tens of thousands of values (bench/README.md, issue #23).
   */
  private readonly mapped: readonly MappedColumn[];
  /** `"col", "col", …` of every mapped column, for `SELECT ${columns} FROM …`. */
  readonly selectList: string;
  /** {@link jsonArray}, once asked for. */
  private arrayColumns: JsonArrayColumns<E> | undefined;

  constructor(
    private readonly db: DataSource,
    private readonly target: new () => E,
  ) {
    this.columns = db.getMetadata(target).columns;
    this.mapped = this.columns.map((column) => ({
      databaseName: column.databaseName,
      propertyName: column.propertyName,
      hydrate: columnHydrator(db.driver, column),
    }));
    this.selectList = this.columns.map((column) => `"${column.databaseName}"`).join(', ');
  }

  /** The select list with every column qualified by `alias`. */
  selectFrom(alias: string): string {
    return this.columns.map((column) => `${alias}."${column.databaseName}"`).join(', ');
  }

  /**
   * The select list with every column of `alias` renamed `prefix` + its name: for a
   * statement that answers two rows side by side (read back with {@link map}'s `prefix`).
   */
  selectAs(alias: string, prefix: string): string {
    return this.columns.map((column) => `${alias}."${column.databaseName}" AS "${prefix}${column.databaseName}"`).join(', ');
  }

  /** The entity of `row`, its columns named `prefix` + their names (see {@link selectAs}). */
  map(row: Readonly<Record<string, unknown>>, prefix = ''): E {
    const entity = new this.target() as Record<string, unknown>;
    for (const { databaseName, propertyName, hydrate } of this.mapped) {
      const value = row[prefix + databaseName];
      entity[propertyName] = hydrate === undefined ? value : hydrate(value);
    }
    return entity as E;
  }

  /**
   * One record as a JSON array of every column, in this mapper's order, for a statement
   * that nests records in a row (`LeadRecordsStore`); made once. Arrays instead of
   * `row_to_json`'s objects: a page of leads with its records would otherwise carry every
   * column name once per record, which PostgreSQL writes and Node parses and looks up
   * again, about half of the text.
   */
  get jsonArray(): JsonArrayColumns<E> {
    if (this.arrayColumns !== undefined) return this.arrayColumns;
    // Instants as their epoch microseconds: a number is half the text, and a `Date` made
    // from it costs far less than one parsed from PostgreSQL's text (a page of leads has
    // about 1,500). `date_part` (float8), not `extract` (numeric, slower for PostgreSQL
    // than writing the text); the product rounds to the exact microsecond, well within
    // float8's precision, and an integer below 2^53 is exact in JSON too.
    const parts = this.columns.map((column, i) => {
      const own = this.mapped[i] as MappedColumn;
      const instant = isInstantColumn(column);
      return {
        mapped: instant ? { ...own, hydrate: epochMicrosHydrator(column) } : own,
        sql: (alias: string) =>
          instant
            ? `(date_part('epoch', ${alias}."${column.databaseName}") * 1000000)::int8`
            : // A bigint the entity keeps as read is pg's decimal string: in JSON it would be a number.
              bigintAsRead(column)
              ? `${alias}."${column.databaseName}"::text`
              : `${alias}."${column.databaseName}"`,
      };
    });
    const mapped = parts.map((part) => part.mapped);
    const selected = (alias: string) => parts.map((part) => part.sql(alias)).join(', ');
    this.arrayColumns = {
      columns: mapped.map((column) => column.databaseName),
      sql: (alias) => `json_build_array(${selected(alias)})`,
      map: (values) => {
        const entity = new this.target() as Record<string, unknown>;
        for (let i = 0; i < mapped.length; i++) {
          const { propertyName, hydrate } = mapped[i] as MappedColumn;
          const value = values[i];
          entity[propertyName] = hydrate === undefined ? value : hydrate(value);
        }
        return entity as E;
      },
    };
    return this.arrayColumns;
  }

  /**
   * Runs `sql` (selecting every column of the entity), on `manager`'s transaction when
   * given, and maps each row. Outside a transaction it runs prepared (`queryPrepared`):
   * these are the statements every read sends, and PostgreSQL spends about as long
   * planning one as running it.
   */
  async query(sql: string, parameters: readonly unknown[], manager?: EntityManager): Promise<E[]> {
    const rows = await queryPrepared(manager ?? this.db.manager, sql, parameters);
    return rows.map((row) => this.map(row));
  }
}

/** Whether `column` is a bigint the entity keeps as `pg` reads it (a decimal string), with no transformer of its own. */
function bigintAsRead(column: ColumnMetadata): boolean {
  return column.type === 'bigint' && column.transformer === undefined;
}
