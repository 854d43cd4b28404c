import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGE_SQL_PARAMETERS, stageSql } from '../../src/domain/stage-sql.js';
import { deriveStage, type StageFacts } from '../../src/domain/stage-table.js';
import { ApplicationStatus, LeadEvent, LoanStatus, VerificationStatus } from '../../src/domain/vocabulary.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** Every value of each fact, and none. */
const withNone = <T extends string>(values: readonly T[]): Array<T | null> => [null, ...values];

describe('the stage derived in SQL (stageSql, what a write derives under the lead lock)', () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('is deriveStage for every combination of the four facts', async () => {
    const combinations: StageFacts[] = [];
    for (const lastEvent of withNone(Object.values(LeadEvent)))
      for (const applicationStatus of withNone(Object.values(ApplicationStatus)))
        for (const verificationStatus of withNone(Object.values(VerificationStatus)))
          for (const latestLoanStatus of withNone(Object.values(LoanStatus))) combinations.push({ lastEvent, applicationStatus, verificationStatus, latestLoanStatus });

    const { rows } = await client.query<{ stage: string }>(
      `SELECT ${stageSql(
        { lastEvent: 'f.last_event', applicationStatus: 'f.application_status', verificationStatus: 'f.verification_status', latestLoanStatus: 'f.latest_loan_status' },
        ['$5', '$6', '$7'],
      )} AS stage
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS f(last_event, application_status, verification_status, latest_loan_status, n)
        ORDER BY f.n`,
      [
        combinations.map((c) => c.lastEvent),
        combinations.map((c) => c.applicationStatus),
        combinations.map((c) => c.verificationStatus),
        combinations.map((c) => c.latestLoanStatus),
        ...STAGE_SQL_PARAMETERS,
      ],
    );
    expect(rows.map((row) => row.stage)).toEqual(combinations.map((facts) => deriveStage(facts)));
    expect(combinations.length).toBeGreaterThan(1_000);
  });
});
