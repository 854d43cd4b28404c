/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type AdverseActionNoticeInput = {
  deliveredAt: string;
  /** email, text or other. */
  deliveryMethod: string;
  reason: string;
};

/** A merge patch of the decision: an absent field is left as it is, null clears it at Lead Bank. */
export type ApplicationDecisionInput = {
  decidedAt?: string | null | undefined;
  exceptionApprovalReason?: string | null | undefined;
  reason?: string | null | undefined;
};

export type ApplicationDocumentInput = {
  consentedAt?: string | null | undefined;
  displayedAt?: string | null | undefined;
  documentId?: string | number | null | undefined;
  type: string;
  version?: string | null | undefined;
};

export type ApplicationStatus =
  | 'APPROVED'
  | 'CANCELED'
  | 'DECLINED';

export type CreateLeadInput = {
  advertiserRef?: string | null | undefined;
  /** Link an existing Lead Bank application. */
  applicationId?: string | number | null | undefined;
  /** Link a Decision Cloud customer. */
  decisionCloudCustomerId?: string | number | null | undefined;
  techeaLeadId?: string | number | null | undefined;
  /** Link an existing Tecalis process. */
  verificationAuthUuid?: string | number | null | undefined;
};

/** A merge patch of the credit details: an absent field is left as it is, null clears it at Lead Bank. */
export type CreditInput = {
  currency?: string | null | undefined;
  isMla?: boolean | null | undefined;
  isSecured?: boolean | null | undefined;
  /** In minor units (cents): a whole number. */
  limit?: number | null | undefined;
  /** In minor units (cents): a whole number. */
  maxLimit?: number | null | undefined;
  underwritingGrade?: string | null | undefined;
};

export type DispatchState =
  /** The provider refused it, or retries ran out. See lastError. */
  | 'FAILED'
  /** Accepted; the provider has not confirmed yet (waiting or retrying). */
  | 'PENDING'
  | 'SUCCEEDED';

/** A TECHEA lead status event. */
export type LeadEvent =
  | 'LOAN_DEFAULTED'
  | 'LOAN_ISSUED'
  | 'LOAN_PAID'
  | 'LOAN_REJECTED'
  | 'REGISTRATION';

/** What TECHEA did with a reported event. */
export type LeadEventOutcome =
  /** Already processed before: a duplicate. */
  | 'IGNORED'
  /** Recorded; the publisher was notified. */
  | 'RECEIVED';

export type LeadFilter = {
  /** Leads in any of these stages. */
  stages?: Array<LeadStage> | null | undefined;
  /** Leads changed (themselves or a linked record) at or after this instant. */
  updatedSince?: string | null | undefined;
};

/**
 * The unified stage of one lead across every provider, derived from the provider
 * records linked to it by one documented table. Never set directly.
 */
export type LeadStage =
  | 'APPROVED'
  | 'CANCELED'
  | 'DECLINED'
  | 'LOAN_DEFAULTED'
  | 'LOAN_ISSUED'
  | 'LOAN_PAID'
  | 'LOAN_REJECTED'
  | 'NEW'
  | 'REGISTERED'
  | 'VERIFICATION_FAILED'
  | 'VERIFIED'
  | 'VERIFYING';

export type LoanApplicationType =
  | 'NEW'
  | 'REFINANCED'
  | 'RETURNING';

export type LoanStatus =
  | 'APPROVED'
  | 'CURRENT'
  | 'DENIED'
  | 'EXPIRED'
  | 'ORIGINATED'
  | 'PAID_IN_FULL'
  | 'PAST_DUE'
  | 'PENDING'
  | 'REVERSED'
  | 'WITHDRAWN'
  | 'WRITTEN_OFF';

export type LoanType =
  | 'INSTALLMENT'
  | 'LINE_OF_CREDIT'
  | 'PAYDAY';

/** The upstream system that owns a record or receives a dispatch. */
export type Provider =
  /** Loan performance reporting. */
  | 'DECISION_CLOUD'
  /** Bank: credit applications. */
  | 'LEAD_BANK'
  /** Identity verification (KYC) processes. */
  | 'TECALIS'
  /** Affiliate lead network: lead status events. */
  | 'TECHEA';

/** What happened upstream, in neutral terms: the same codes as ProviderError.code. */
export type ProviderErrorCode =
  /** The provider was busy with the same request. */
  | 'CONFLICT'
  /** The provider answered something its contract does not allow. */
  | 'INVALID_RESPONSE'
  /** The record does not exist at the provider. */
  | 'NOT_FOUND'
  /** The provider asked to slow down. */
  | 'RATE_LIMITED'
  /** The provider understood the request and refused it: sending it again will not help. */
  | 'REJECTED'
  /** No answer in time. */
  | 'TIMEOUT'
  /** The gateway's credentials were refused. */
  | 'UNAUTHORIZED'
  /** The provider failed or could not be reached. */
  | 'UNAVAILABLE'
  /** A code this version does not know; see code. */
  | 'UNKNOWN';

export type ReportLeadEventInput = {
  advertiserRef?: string | null | undefined;
  event: LeadEvent;
  /** Same key and same input: the first result is returned, nothing is sent twice. */
  idempotencyKey?: string | null | undefined;
  leadId: string | number;
  metadata?: Record<string, unknown> | null | undefined;
};

export type UpdateApplicationInput = {
  /** Absent: left as it is. Null: the notice is cleared at Lead Bank (refused with status DECLINED). */
  adverseActionNotice?: AdverseActionNoticeInput | null | undefined;
  applicationId: string | number;
  /** Absent: left as it is. Null: all credit details cleared at Lead Bank. */
  credit?: CreditInput | null | undefined;
  /** Null is read as absent (Lead Bank cannot clear the whole decision; clear its fields). */
  decision?: ApplicationDecisionInput | null | undefined;
  /** Replaces the whole list. */
  documents?: Array<ApplicationDocumentInput> | null | undefined;
  idempotencyKey?: string | null | undefined;
  /** Links the application to this lead when it is not linked yet. */
  leadId?: string | number | null | undefined;
  /** Replaces the whole object. */
  metadata?: Record<string, unknown> | null | undefined;
  /** Absent: left as it is. Null: cleared at Lead Bank. */
  productName?: string | null | undefined;
  status?: ApplicationStatus | null | undefined;
};

export type UpdateVerificationStatusInput = {
  authUuid: string | number;
  idempotencyKey?: string | null | undefined;
  leadId?: string | number | null | undefined;
  /** Absent: the stored reasons stay as they are. Present (even empty): replaced. */
  reasons?: string | null | undefined;
  state: VerificationState;
};

export type UpsertLoanInput = {
  applicationType?: LoanApplicationType | null | undefined;
  appliedAt: string;
  customerId: string | number;
  decisionCloudLeadId?: number | null | undefined;
  esignedAt?: string | null | undefined;
  /** YYYY-MM-DD */
  firstPaymentDate?: string | null | undefined;
  fundedAmountCents?: number | null | undefined;
  idempotencyKey?: string | null | undefined;
  leadId?: string | number | null | undefined;
  loanAmountCents: number;
  loanId: string | number;
  loanStatus?: LoanStatus | null | undefined;
  loanType?: LoanType | null | undefined;
  managementSystemId?: number | null | undefined;
  originatedAt?: string | null | undefined;
  withdrawnAt?: string | null | undefined;
};

/** The final states that can be set on a Tecalis process. */
export type VerificationState =
  | 'CANCELLED'
  | 'KO'
  | 'OK';

export type VerificationStatus =
  | 'CANCELLED'
  | 'KO'
  | 'OK'
  /** Started, no final state yet. */
  | 'PENDING';

export type LeadsPageQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: LeadFilter | null | undefined;
}>;


export type LeadsPageQuery = { leads: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, advertiserRef: string | null, techeaLeadId: string | null, stage: LeadStage, updatedAt: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type LeadPageQueryVariables = Exact<{
  id: string | number;
}>;


export type LeadPageQuery = { statusHead: string, lead: { id: string, techeaLeadId: string | null, advertiserRef: string | null, decisionCloudCustomerId: string | null, stage: LeadStage, lastEvent: LeadEvent | null, updatedAt: string, application: { id: string, status: ApplicationStatus | null, productName: string | null } | null, verification: { id: string, authUuid: string, status: VerificationStatus, statusReasons: string | null } | null, loans: Array<{ id: string, customerId: string, loanId: string, loanStatus: LoanStatus | null, loanAmountCents: number, appliedAt: string, decisionCloudLeadId: number | null, managementSystemId: number | null }> } | null };

export type LeadLiveSubscriptionVariables = Exact<{
  leadId: string | number;
  after?: string | number | null | undefined;
}>;


export type LeadLiveSubscription = { statusChanged: { id: string, leadId: string, provider: Provider, entityId: string, from: string | null, to: string, occurredAt: string, lead: { id: string, stage: LeadStage, lastEvent: LeadEvent | null }, record:
      | { __typename: 'Application', id: string, applicationStatus: ApplicationStatus | null }
      | { __typename: 'Lead', id: string, lastEvent: LeadEvent | null }
      | { __typename: 'Loan', id: string, loanStatus: LoanStatus | null }
      | { __typename: 'Verification', id: string, statusReasons: string | null, verificationStatus: VerificationStatus }
     | null, dispatch: { id: string, state: DispatchState } | null } };

export type DispatchEndsSubscriptionVariables = Exact<{
  leadId?: string | number | null | undefined;
  after?: string | number | null | undefined;
}>;


export type DispatchEndsSubscription = { dispatchChanged: { id: string, leadId: string | null, provider: Provider, entityId: string, from: DispatchState, to: DispatchState, occurredAt: string, dispatch: { id: string, provider: Provider, operation: string, state: DispatchState, attempts: number, lastError: { code: string, errorCode: ProviderErrorCode, httpStatus: number | null, message: string } | null } } };

export type DispatchFieldsFragment = { id: string, provider: Provider, operation: string, state: DispatchState, attempts: number, lastError: { code: string, errorCode: ProviderErrorCode, httpStatus: number | null, message: string } | null };

export type CreateLeadMutationVariables = Exact<{
  input: CreateLeadInput;
}>;


export type CreateLeadMutation = { createLead: { id: string, advertiserRef: string | null, techeaLeadId: string | null, stage: LeadStage, updatedAt: string } };

export type ReportLeadEventMutationVariables = Exact<{
  input: ReportLeadEventInput;
}>;


export type ReportLeadEventMutation = { reportLeadEvent: { outcome: LeadEventOutcome | null, lead: { id: string, lastEvent: LeadEvent | null, stage: LeadStage }, dispatch: { id: string, provider: Provider, operation: string, state: DispatchState, attempts: number, lastError: { code: string, errorCode: ProviderErrorCode, httpStatus: number | null, message: string } | null } } };

export type UpdateApplicationMutationVariables = Exact<{
  input: UpdateApplicationInput;
}>;


export type UpdateApplicationMutation = { updateApplication: { application: { id: string, status: ApplicationStatus | null }, dispatch: { id: string, provider: Provider, operation: string, state: DispatchState, attempts: number, lastError: { code: string, errorCode: ProviderErrorCode, httpStatus: number | null, message: string } | null } } };

export type UpdateVerificationStatusMutationVariables = Exact<{
  input: UpdateVerificationStatusInput;
}>;


export type UpdateVerificationStatusMutation = { updateVerificationStatus: { verification: { id: string, status: VerificationStatus, statusReasons: string | null }, dispatch: { id: string, provider: Provider, operation: string, state: DispatchState, attempts: number, lastError: { code: string, errorCode: ProviderErrorCode, httpStatus: number | null, message: string } | null } } };

export type UpsertLoanMutationVariables = Exact<{
  input: UpsertLoanInput;
}>;


export type UpsertLoanMutation = { upsertLoan: { loan: { id: string, loanStatus: LoanStatus | null }, dispatch: { id: string, provider: Provider, operation: string, state: DispatchState, attempts: number, lastError: { code: string, errorCode: ProviderErrorCode, httpStatus: number | null, message: string } | null } } };

export const DispatchFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DispatchFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Dispatch"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"operation"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<DispatchFieldsFragment, unknown>;
export const LeadsPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LeadsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"LeadFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"leads"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"advertiserRef"}},{"kind":"Field","name":{"kind":"Name","value":"techeaLeadId"}},{"kind":"Field","name":{"kind":"Name","value":"stage"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<LeadsPageQuery, LeadsPageQueryVariables>;
export const LeadPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LeadPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"statusHead"}},{"kind":"Field","name":{"kind":"Name","value":"lead"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"techeaLeadId"}},{"kind":"Field","name":{"kind":"Name","value":"advertiserRef"}},{"kind":"Field","name":{"kind":"Name","value":"decisionCloudCustomerId"}},{"kind":"Field","name":{"kind":"Name","value":"stage"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"application"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"productName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"verification"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"authUuid"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReasons"}}]}},{"kind":"Field","name":{"kind":"Name","value":"loans"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"customerId"}},{"kind":"Field","name":{"kind":"Name","value":"loanId"}},{"kind":"Field","name":{"kind":"Name","value":"loanStatus"}},{"kind":"Field","name":{"kind":"Name","value":"loanAmountCents"}},{"kind":"Field","name":{"kind":"Name","value":"appliedAt"}},{"kind":"Field","name":{"kind":"Name","value":"decisionCloudLeadId"}},{"kind":"Field","name":{"kind":"Name","value":"managementSystemId"}}]}}]}}]}}]} as unknown as DocumentNode<LeadPageQuery, LeadPageQueryVariables>;
export const LeadLiveDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LeadLive"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"leadId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"statusChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"leadId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"leadId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"leadId"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"entityId"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"lead"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"stage"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"record"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Application"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","alias":{"kind":"Name","value":"applicationStatus"},"name":{"kind":"Name","value":"status"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Verification"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","alias":{"kind":"Name","value":"verificationStatus"},"name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReasons"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Loan"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"loanStatus"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Lead"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"dispatch"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}}]}}]}}]} as unknown as DocumentNode<LeadLiveSubscription, LeadLiveSubscriptionVariables>;
export const DispatchEndsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"DispatchEnds"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"leadId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dispatchChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"leadId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"leadId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"leadId"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"entityId"}},{"kind":"Field","name":{"kind":"Name","value":"from"}},{"kind":"Field","name":{"kind":"Name","value":"to"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"dispatch"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DispatchFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DispatchFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Dispatch"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"operation"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<DispatchEndsSubscription, DispatchEndsSubscriptionVariables>;
export const CreateLeadDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateLead"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateLeadInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createLead"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"advertiserRef"}},{"kind":"Field","name":{"kind":"Name","value":"techeaLeadId"}},{"kind":"Field","name":{"kind":"Name","value":"stage"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<CreateLeadMutation, CreateLeadMutationVariables>;
export const ReportLeadEventDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReportLeadEvent"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReportLeadEventInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reportLeadEvent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"lead"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"}},{"kind":"Field","name":{"kind":"Name","value":"stage"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dispatch"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DispatchFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DispatchFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Dispatch"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"operation"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<ReportLeadEventMutation, ReportLeadEventMutationVariables>;
export const UpdateApplicationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateApplication"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateApplicationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateApplication"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"application"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dispatch"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DispatchFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DispatchFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Dispatch"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"operation"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<UpdateApplicationMutation, UpdateApplicationMutationVariables>;
export const UpdateVerificationStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateVerificationStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateVerificationStatusInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateVerificationStatus"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verification"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"statusReasons"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dispatch"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DispatchFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DispatchFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Dispatch"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"operation"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<UpdateVerificationStatusMutation, UpdateVerificationStatusMutationVariables>;
export const UpsertLoanDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpsertLoan"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpsertLoanInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upsertLoan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"loan"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"loanStatus"}}]}},{"kind":"Field","name":{"kind":"Name","value":"dispatch"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"DispatchFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"DispatchFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Dispatch"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"operation"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"lastError"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"httpStatus"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]} as unknown as DocumentNode<UpsertLoanMutation, UpsertLoanMutationVariables>;