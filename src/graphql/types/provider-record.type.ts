import { createUnionType } from 'type-graphql';
import { ApplicationObject } from './application.type.js';
import { LeadObject } from './lead.type.js';
import { LoanObject } from './loan.type.js';
import { VerificationObject } from './verification.type.js';

/**
 * The record a status change or a dispatch is about: a TECHEA change is about the lead
 * itself, the others about its application, verification or loan. A client selects
 * the fields of each (`... on Verification { id status }`) and its cache updates the
 * record in place.
 */
export const ProviderRecordUnion = createUnionType({
  name: 'ProviderRecord',
  description: 'The record a status change or a dispatch is about: the lead (TECHEA), its application, verification or loan.',
  types: () => [LeadObject, ApplicationObject, VerificationObject, LoanObject] as const,
  resolveType: (value) => providerRecordTypeName(value),
});

/**
 * The union member of a value, by name and synchronously. type-graphql wraps a union's
 * `resolveType` in an async function, which graphql-js awaits but graphql-jit (which
 * runs subscription events) does not: `buildGatewaySchema` puts this one back in place.
 */
export function providerRecordTypeName(value: ProviderRecord): 'Lead' | 'Application' | 'Verification' | 'Loan' {
  if (value instanceof LeadObject) return 'Lead';
  if (value instanceof ApplicationObject) return 'Application';
  if (value instanceof VerificationObject) return 'Verification';
  return 'Loan';
}

/** A value of {@link ProviderRecordUnion}. */
export type ProviderRecord = LeadObject | ApplicationObject | VerificationObject | LoanObject;
