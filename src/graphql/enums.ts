import { registerEnumType } from 'type-graphql';
import {
  ApplicationDocumentType,
  ApplicationStatus,
  DispatchState,
  LeadEvent,
  LeadEventOutcome,
  LeadStage,
  LoanApplicationType,
  LoanStatus,
  LoanType,
  Provider,
  VerificationOperationState,
  VerificationOperationType,
  VerificationState,
  VerificationStatus,
} from '../domain/vocabulary.js';

// The domain vocabulary is the GraphQL vocabulary: one registration per enum, with the
// contract's descriptions.
registerEnumType(Provider, {
  name: 'Provider',
  description: 'The upstream system that owns a record or receives a dispatch.',
  valuesConfig: {
    TECHEA: { description: 'Affiliate lead network: lead status events.' },
    LEAD_BANK: { description: 'Bank: credit applications.' },
    TECALIS: { description: 'Identity verification (KYC) processes.' },
    DECISION_CLOUD: { description: 'Loan performance reporting.' },
  },
});
registerEnumType(LeadStage, {
  name: 'LeadStage',
  description:
    'The unified stage of one lead across every provider, derived from the provider\nrecords linked to it by one documented table. Never set directly.',
});
registerEnumType(LeadEvent, { name: 'LeadEvent', description: 'A TECHEA lead status event.' });
registerEnumType(LeadEventOutcome, {
  name: 'LeadEventOutcome',
  description: 'What TECHEA did with a reported event.',
  valuesConfig: {
    RECEIVED: { description: 'Recorded; the publisher was notified.' },
    IGNORED: { description: 'Already processed before: a duplicate.' },
  },
});
registerEnumType(ApplicationStatus, { name: 'ApplicationStatus' });
registerEnumType(VerificationStatus, {
  name: 'VerificationStatus',
  valuesConfig: { PENDING: { description: 'Started, no final state yet.' } },
});
registerEnumType(VerificationOperationType, {
  name: 'VerificationOperationType',
  valuesConfig: { UNKNOWN: { description: "A type Tecalis sent that is not one of the others: see the operation's providerType." } },
});
registerEnumType(VerificationOperationState, {
  name: 'VerificationOperationState',
  valuesConfig: { UNKNOWN: { description: "A state Tecalis sent that is not one of the others: see the operation's providerState." } },
});
registerEnumType(ApplicationDocumentType, {
  name: 'ApplicationDocumentType',
  description: "The kinds of document Lead Bank's reference page lists for an application (the document's `type`, as an enum).",
});
registerEnumType(LoanApplicationType, { name: 'LoanApplicationType' });
registerEnumType(LoanType, { name: 'LoanType' });
registerEnumType(LoanStatus, { name: 'LoanStatus' });
registerEnumType(DispatchState, {
  name: 'DispatchState',
  valuesConfig: {
    PENDING: { description: 'Accepted; the provider has not confirmed yet (waiting or retrying).' },
    FAILED: { description: 'The provider refused it, or retries ran out. See lastError.' },
  },
});
registerEnumType(VerificationState, {
  name: 'VerificationState',
  description: 'The final states that can be set on a Tecalis process.',
});
