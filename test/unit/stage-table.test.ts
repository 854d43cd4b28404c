import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STAGE_SOURCES, STAGE_TABLE, deriveStage, type StageFacts } from '../../src/domain/stage-table.js';
import {
  ApplicationStatus as A,
  LeadEvent as E,
  LeadStage as S,
  LoanStatus as L,
  VerificationStatus as V,
} from '../../src/domain/vocabulary.js';

const none: StageFacts = { lastEvent: null, applicationStatus: null, verificationStatus: null, latestLoanStatus: null };

// Written out by hand, not derived from STAGE_TABLE: this is the specification the
// table is checked against, one row per upstream value.
const ROWS: ReadonlyArray<readonly [source: string, facts: Partial<StageFacts>, stage: S]> = [
  ['TECHEA', { lastEvent: E.REGISTRATION }, S.REGISTERED],
  ['TECHEA', { lastEvent: E.LOAN_ISSUED }, S.LOAN_ISSUED],
  ['TECHEA', { lastEvent: E.LOAN_REJECTED }, S.LOAN_REJECTED],
  ['TECHEA', { lastEvent: E.LOAN_PAID }, S.LOAN_PAID],
  ['TECHEA', { lastEvent: E.LOAN_DEFAULTED }, S.LOAN_DEFAULTED],
  ['TECALIS', { verificationStatus: V.PENDING }, S.VERIFYING],
  ['TECALIS', { verificationStatus: V.OK }, S.VERIFIED],
  ['TECALIS', { verificationStatus: V.KO }, S.VERIFICATION_FAILED],
  ['TECALIS', { verificationStatus: V.CANCELLED }, S.VERIFICATION_FAILED],
  ['LEAD_BANK', { applicationStatus: A.APPROVED }, S.APPROVED],
  ['LEAD_BANK', { applicationStatus: A.DECLINED }, S.DECLINED],
  ['LEAD_BANK', { applicationStatus: A.CANCELED }, S.CANCELED],
  ['DECISION_CLOUD', { latestLoanStatus: L.PENDING }, S.NEW],
  ['DECISION_CLOUD', { latestLoanStatus: L.APPROVED }, S.APPROVED],
  ['DECISION_CLOUD', { latestLoanStatus: L.EXPIRED }, S.CANCELED],
  ['DECISION_CLOUD', { latestLoanStatus: L.WITHDRAWN }, S.CANCELED],
  ['DECISION_CLOUD', { latestLoanStatus: L.REVERSED }, S.CANCELED],
  ['DECISION_CLOUD', { latestLoanStatus: L.DENIED }, S.LOAN_REJECTED],
  ['DECISION_CLOUD', { latestLoanStatus: L.ORIGINATED }, S.LOAN_ISSUED],
  ['DECISION_CLOUD', { latestLoanStatus: L.CURRENT }, S.LOAN_ISSUED],
  ['DECISION_CLOUD', { latestLoanStatus: L.PAST_DUE }, S.LOAN_ISSUED],
  ['DECISION_CLOUD', { latestLoanStatus: L.PAID_IN_FULL }, S.LOAN_PAID],
  ['DECISION_CLOUD', { latestLoanStatus: L.WRITTEN_OFF }, S.LOAN_DEFAULTED],
];

describe('the stage table', () => {
  it('gives NEW to a lead with nothing linked', () => {
    expect(deriveStage(none)).toBe(S.NEW);
  });

  it.each(ROWS)('maps %s %o alone to %s', (_source, facts, stage) => {
    expect(deriveStage({ ...none, ...facts })).toBe(stage);
  });

  it('has a row for every upstream value, and no other', () => {
    const covered = (source: string) => ROWS.filter(([s]) => s === source).length;
    for (const source of STAGE_SOURCES) {
      expect(covered(source), source).toBe(Object.keys(STAGE_TABLE[source]).length);
    }
    expect(covered('TECHEA')).toBe(Object.keys(E).length);
    expect(covered('TECALIS')).toBe(Object.keys(V).length);
    expect(covered('LEAD_BANK')).toBe(Object.keys(A).length);
    expect(covered('DECISION_CLOUD')).toBe(Object.keys(L).length);
  });
});

describe('when the providers disagree', () => {
  it.each<[string, Partial<StageFacts>, S]>([
    ['a later step wins over an earlier one', { lastEvent: E.REGISTRATION, verificationStatus: V.OK }, S.VERIFIED],
    ['a bank decision outranks a verification', { verificationStatus: V.KO, applicationStatus: A.APPROVED }, S.APPROVED],
    ['a loan outcome outranks the bank decision', { applicationStatus: A.APPROVED, latestLoanStatus: L.DENIED }, S.LOAN_REJECTED],
    ['a repaid loan outranks an issued one', { lastEvent: E.LOAN_ISSUED, latestLoanStatus: L.PAID_IN_FULL }, S.LOAN_PAID],
    ['TECHEA can carry the lead furthest', { lastEvent: E.LOAN_DEFAULTED, latestLoanStatus: L.CURRENT }, S.LOAN_DEFAULTED],
    [
      'on the same step, Decision Cloud outranks TECHEA',
      { lastEvent: E.LOAN_ISSUED, latestLoanStatus: L.DENIED },
      S.LOAN_REJECTED,
    ],
    [
      'on the same step, Decision Cloud outranks Lead Bank',
      { applicationStatus: A.DECLINED, latestLoanStatus: L.APPROVED },
      S.APPROVED,
    ],
    [
      'a pending loan does not hide the bank decision',
      { applicationStatus: A.CANCELED, latestLoanStatus: L.PENDING },
      S.CANCELED,
    ],
    ['a pending loan says nothing', { verificationStatus: V.PENDING, latestLoanStatus: L.PENDING }, S.VERIFYING],
  ])('%s', (_why, facts, stage) => {
    expect(deriveStage({ ...none, ...facts })).toBe(stage);
  });
});

describe("the README's stage table", () => {
  it('lists exactly the rows of STAGE_TABLE', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = /<!-- stage-table:start -->([\s\S]*?)<!-- stage-table:end -->/.exec(readme)?.[1];
    expect(section, 'README.md has a stage-table section').toBeDefined();
    const documented = [...section!.matchAll(/^\|\s*`?(\w+)`?\s*\|\s*`?(\w+)`?\s*\|\s*`?(\w+|—)`?\s*\|/gm)]
      .map(([, source, state, stage]) => `${source} ${state} ${stage === '—' ? 'null' : stage}`)
      .filter((row) => !row.startsWith('provider '));
    const coded = STAGE_SOURCES.flatMap((source) =>
      Object.entries(STAGE_TABLE[source]).map(([state, stage]) => `${source} ${state} ${stage ?? 'null'}`),
    );
    expect(documented.sort()).toEqual(coded.sort());
  });
});
