import { STAGE_SOURCES, STAGE_STEP, STAGE_TABLE } from './stage-table.js';
import { LeadStage } from './vocabulary.js';

/**
 * {@link STAGE_TABLE} as the three parameters {@link stageSql} reads: the table, each
 * stage's step, each source's rank. Data, not SQL: the table stays in one place.
 */
export const STAGE_SQL_PARAMETERS: readonly [table: string, steps: string, ranks: string] = [
  JSON.stringify(STAGE_TABLE),
  JSON.stringify(STAGE_STEP),
  JSON.stringify(Object.fromEntries(STAGE_SOURCES.map((source, rank) => [source, rank]))),
];

/**
 * `deriveStage` (stage-table.ts) as a SQL expression, so a statement can derive a lead's
 * stage from facts it has just read under the lead's lock: the candidate furthest
 * along ({@link STAGE_STEP}), on a tie the most authoritative source
 * ({@link STAGE_SOURCES}), NEW with none. `facts` are four SQL expressions (text or
 * null); `parameters` the placeholders bound to {@link STAGE_SQL_PARAMETERS}, in order.
 * `test/integration/stage-sql.test.ts` checks it against `deriveStage` on every
 * combination of facts.
 */
export function stageSql(
  facts: { lastEvent: string; applicationStatus: string; verificationStatus: string; latestLoanStatus: string },
  parameters: readonly [table: string, steps: string, ranks: string],
): string {
  const [table, steps, ranks] = parameters;
  return `coalesce((
    SELECT c.stage FROM (VALUES ('DECISION_CLOUD', ${facts.latestLoanStatus}), ('LEAD_BANK', ${facts.applicationStatus}),
                                ('TECALIS', ${facts.verificationStatus}), ('TECHEA', ${facts.lastEvent})) AS v(source, value)
           CROSS JOIN LATERAL (SELECT ${table}::jsonb -> v.source ->> v.value AS stage) c
     WHERE c.stage IS NOT NULL
     ORDER BY (${steps}::jsonb ->> c.stage)::int DESC, (${ranks}::jsonb ->> v.source)::int
     LIMIT 1), '${LeadStage.NEW}')`;
}
