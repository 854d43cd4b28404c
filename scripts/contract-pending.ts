/**
 * Parts of the public contract (../shared/api-contract.graphql) that are not built
 * yet, each with the issue that builds it. `npm run schema:check` fails on any other
 * breaking change, and on an entry here that is no longer needed: this list can
 * only shrink.
 */
export const PENDING_CONTRACT_PARTS: ReadonlyArray<{ readonly description: string; readonly issue: number }> = [
  // #5: mutations that dispatch to a provider.
  ...[
    'LeadEventOutcome was removed.',
    'ReportLeadEventInput was removed.',
    'ReportLeadEventPayload was removed.',
    'CreditInput was removed.',
    'AdverseActionNoticeInput was removed.',
    'ApplicationDecisionInput was removed.',
    'ApplicationDocumentInput was removed.',
    'UpdateApplicationInput was removed.',
    'UpdateApplicationPayload was removed.',
    'VerificationState was removed.',
    'UpdateVerificationStatusInput was removed.',
    'UpdateVerificationStatusPayload was removed.',
    'UpsertLoanInput was removed.',
    'UpsertLoanPayload was removed.',
    'Mutation.reportLeadEvent was removed.',
    'Mutation.updateApplication was removed.',
    'Mutation.updateVerificationStatus was removed.',
    'Mutation.upsertLoan was removed.',
    'Mutation.retryDispatch was removed.',
  ].map((description) => ({ description, issue: 5 })),
  // #6: the live status stream.
  { description: 'Subscription was removed.', issue: 6 },
];
