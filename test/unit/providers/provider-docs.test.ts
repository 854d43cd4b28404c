import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APPLICATION_TYPES, LOAN_STATUSES, LOAN_TYPES } from '../../../src/providers/decisioncloud/wire.js';
import { STATUSES as APPLICATION_STATUSES } from '../../../src/providers/leadbank/wire.js';
import { FINAL_STATES, OPERATION_STATES, OPERATION_TYPES, PROCESS_STATUSES } from '../../../src/providers/tecalis/wire.js';
import { EVENTS, STATUSES as EVENT_OUTCOMES } from '../../../src/providers/techea/wire.js';
import { type WireVocabulary } from '../../../src/providers/wire-vocabulary.js';

const DOC = readFileSync(new URL('../../../docs/providers.md', import.meta.url), 'utf8');

/** The first backticked value of a table cell, or undefined for a cell with none (e.g. "anything else"). */
const valueOf = (cell: string | undefined) => (cell === undefined ? undefined : /^\s*`([^`]+)`/.exec(cell)?.[1]);

/**
 * The `[ours, wire]` pairs of the table whose header row starts with `header`, read
 * from the two columns at `ours` and `wire`; rows without a backticked value in both are prose.
 */
function documentedPairs(header: string, columns: { ours: number; wire: number }): Array<[string, string]> {
  const lines = DOC.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`| ${header}`));
  expect(start, `docs/providers.md has the table "${header}"`).toBeGreaterThanOrEqual(0);
  const pairs: Array<[string, string]> = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1);
    const ours = valueOf(cells[columns.ours]);
    const wire = valueOf(cells[columns.wire]);
    if (ours !== undefined && wire !== undefined) pairs.push([ours, wire]);
  }
  return pairs;
}

const OURS_FIRST = { ours: 0, wire: 1 };
const WIRE_FIRST = { ours: 1, wire: 0 };

const TABLES: Array<[string, { ours: number; wire: number }, WireVocabulary<string, string>]> = [
  ['leadgraph `LeadEvent`', OURS_FIRST, EVENTS],
  ['TECHEA `status`', WIRE_FIRST, EVENT_OUTCOMES],
  ['leadgraph `ApplicationStatus`', OURS_FIRST, APPLICATION_STATUSES],
  ['leadgraph `VerificationState` (set)', OURS_FIRST, FINAL_STATES],
  ['Tecalis process `status`', WIRE_FIRST, PROCESS_STATUSES],
  ['Tecalis operation `type`', WIRE_FIRST, OPERATION_TYPES],
  ['Tecalis operation `type`', { ours: 4, wire: 3 }, OPERATION_STATES],
  ['leadgraph `LoanApplicationType`', OURS_FIRST, APPLICATION_TYPES],
  ['leadgraph `LoanType`', OURS_FIRST, LOAN_TYPES],
  ['leadgraph `LoanStatus`', OURS_FIRST, LOAN_STATUSES],
];

describe('docs/providers.md', () => {
  it.each(TABLES)('states the table "%s" exactly as the code has it', (header, columns, vocabulary) => {
    expect(documentedPairs(header, columns).sort()).toEqual(Object.entries(vocabulary.table).sort());
  });
});

describe('a vocabulary table', () => {
  it('gives both directions and the provider list, and refuses an unknown spelling rather than guessing', () => {
    expect(LOAN_STATUSES.toWire('PAST_DUE' as never)).toBe('Past Due');
    expect(LOAN_STATUSES.fromWire('Past Due')).toBe('PAST_DUE');
    expect(LOAN_STATUSES.fromWire('past due')).toBeUndefined();
    expect(LOAN_STATUSES.wireValues).toEqual(Object.values(LOAN_STATUSES.table));
  });
});
