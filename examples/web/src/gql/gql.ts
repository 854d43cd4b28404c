/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query LeadsPage($first: Int!, $after: String, $filter: LeadFilter) {\n    leads(first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          advertiserRef\n          techeaLeadId\n          stage\n          updatedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.LeadsPageDocument,
    "\n  query LeadPage($id: ID!) {\n    statusHead\n    lead(id: $id) {\n      id\n      techeaLeadId\n      advertiserRef\n      decisionCloudCustomerId\n      stage\n      lastEvent\n      updatedAt\n      application {\n        id\n        status\n        productName\n      }\n      verification {\n        id\n        authUuid\n        status\n        statusReasons\n      }\n      loans {\n        id\n        customerId\n        loanId\n        loanStatus\n        loanAmountCents\n        appliedAt\n        decisionCloudLeadId\n        managementSystemId\n      }\n    }\n  }\n": typeof types.LeadPageDocument,
    "\n  subscription LeadLive($leadId: ID!, $after: ID) {\n    statusChanged(leadId: $leadId, after: $after) {\n      id\n      leadId\n      provider\n      entityId\n      from\n      to\n      occurredAt\n      lead {\n        id\n        stage\n        lastEvent\n      }\n      record {\n        __typename\n        ... on Application {\n          id\n          applicationStatus: status\n        }\n        ... on Verification {\n          id\n          verificationStatus: status\n          statusReasons\n        }\n        ... on Loan {\n          id\n          loanStatus\n        }\n        ... on Lead {\n          id\n          lastEvent\n        }\n      }\n      dispatch {\n        id\n        state\n      }\n    }\n  }\n": typeof types.LeadLiveDocument,
    "\n  subscription DispatchEnds($leadId: ID, $after: ID) {\n    dispatchChanged(leadId: $leadId, after: $after) {\n      id\n      leadId\n      provider\n      entityId\n      from\n      to\n      occurredAt\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n": typeof types.DispatchEndsDocument,
    "\n  fragment DispatchFields on Dispatch {\n    id\n    provider\n    operation\n    state\n    attempts\n    lastError {\n      code\n      errorCode\n      httpStatus\n      message\n    }\n  }\n": typeof types.DispatchFieldsFragmentDoc,
    "\n  mutation CreateLead($input: CreateLeadInput!) {\n    createLead(input: $input) {\n      id\n      advertiserRef\n      techeaLeadId\n      stage\n      updatedAt\n    }\n  }\n": typeof types.CreateLeadDocument,
    "\n  mutation ReportLeadEvent($input: ReportLeadEventInput!) {\n    reportLeadEvent(input: $input) {\n      outcome\n      lead {\n        id\n        lastEvent\n        stage\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n": typeof types.ReportLeadEventDocument,
    "\n  mutation UpdateApplication($input: UpdateApplicationInput!) {\n    updateApplication(input: $input) {\n      application {\n        id\n        status\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n": typeof types.UpdateApplicationDocument,
    "\n  mutation UpdateVerificationStatus($input: UpdateVerificationStatusInput!) {\n    updateVerificationStatus(input: $input) {\n      verification {\n        id\n        status\n        statusReasons\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n": typeof types.UpdateVerificationStatusDocument,
    "\n  mutation UpsertLoan($input: UpsertLoanInput!) {\n    upsertLoan(input: $input) {\n      loan {\n        id\n        loanStatus\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n": typeof types.UpsertLoanDocument,
};
const documents: Documents = {
    "\n  query LeadsPage($first: Int!, $after: String, $filter: LeadFilter) {\n    leads(first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          advertiserRef\n          techeaLeadId\n          stage\n          updatedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.LeadsPageDocument,
    "\n  query LeadPage($id: ID!) {\n    statusHead\n    lead(id: $id) {\n      id\n      techeaLeadId\n      advertiserRef\n      decisionCloudCustomerId\n      stage\n      lastEvent\n      updatedAt\n      application {\n        id\n        status\n        productName\n      }\n      verification {\n        id\n        authUuid\n        status\n        statusReasons\n      }\n      loans {\n        id\n        customerId\n        loanId\n        loanStatus\n        loanAmountCents\n        appliedAt\n        decisionCloudLeadId\n        managementSystemId\n      }\n    }\n  }\n": types.LeadPageDocument,
    "\n  subscription LeadLive($leadId: ID!, $after: ID) {\n    statusChanged(leadId: $leadId, after: $after) {\n      id\n      leadId\n      provider\n      entityId\n      from\n      to\n      occurredAt\n      lead {\n        id\n        stage\n        lastEvent\n      }\n      record {\n        __typename\n        ... on Application {\n          id\n          applicationStatus: status\n        }\n        ... on Verification {\n          id\n          verificationStatus: status\n          statusReasons\n        }\n        ... on Loan {\n          id\n          loanStatus\n        }\n        ... on Lead {\n          id\n          lastEvent\n        }\n      }\n      dispatch {\n        id\n        state\n      }\n    }\n  }\n": types.LeadLiveDocument,
    "\n  subscription DispatchEnds($leadId: ID, $after: ID) {\n    dispatchChanged(leadId: $leadId, after: $after) {\n      id\n      leadId\n      provider\n      entityId\n      from\n      to\n      occurredAt\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n": types.DispatchEndsDocument,
    "\n  fragment DispatchFields on Dispatch {\n    id\n    provider\n    operation\n    state\n    attempts\n    lastError {\n      code\n      errorCode\n      httpStatus\n      message\n    }\n  }\n": types.DispatchFieldsFragmentDoc,
    "\n  mutation CreateLead($input: CreateLeadInput!) {\n    createLead(input: $input) {\n      id\n      advertiserRef\n      techeaLeadId\n      stage\n      updatedAt\n    }\n  }\n": types.CreateLeadDocument,
    "\n  mutation ReportLeadEvent($input: ReportLeadEventInput!) {\n    reportLeadEvent(input: $input) {\n      outcome\n      lead {\n        id\n        lastEvent\n        stage\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n": types.ReportLeadEventDocument,
    "\n  mutation UpdateApplication($input: UpdateApplicationInput!) {\n    updateApplication(input: $input) {\n      application {\n        id\n        status\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n": types.UpdateApplicationDocument,
    "\n  mutation UpdateVerificationStatus($input: UpdateVerificationStatusInput!) {\n    updateVerificationStatus(input: $input) {\n      verification {\n        id\n        status\n        statusReasons\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n": types.UpdateVerificationStatusDocument,
    "\n  mutation UpsertLoan($input: UpsertLoanInput!) {\n    upsertLoan(input: $input) {\n      loan {\n        id\n        loanStatus\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n": types.UpsertLoanDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LeadsPage($first: Int!, $after: String, $filter: LeadFilter) {\n    leads(first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          advertiserRef\n          techeaLeadId\n          stage\n          updatedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query LeadsPage($first: Int!, $after: String, $filter: LeadFilter) {\n    leads(first: $first, after: $after, filter: $filter) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          advertiserRef\n          techeaLeadId\n          stage\n          updatedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LeadPage($id: ID!) {\n    statusHead\n    lead(id: $id) {\n      id\n      techeaLeadId\n      advertiserRef\n      decisionCloudCustomerId\n      stage\n      lastEvent\n      updatedAt\n      application {\n        id\n        status\n        productName\n      }\n      verification {\n        id\n        authUuid\n        status\n        statusReasons\n      }\n      loans {\n        id\n        customerId\n        loanId\n        loanStatus\n        loanAmountCents\n        appliedAt\n        decisionCloudLeadId\n        managementSystemId\n      }\n    }\n  }\n"): (typeof documents)["\n  query LeadPage($id: ID!) {\n    statusHead\n    lead(id: $id) {\n      id\n      techeaLeadId\n      advertiserRef\n      decisionCloudCustomerId\n      stage\n      lastEvent\n      updatedAt\n      application {\n        id\n        status\n        productName\n      }\n      verification {\n        id\n        authUuid\n        status\n        statusReasons\n      }\n      loans {\n        id\n        customerId\n        loanId\n        loanStatus\n        loanAmountCents\n        appliedAt\n        decisionCloudLeadId\n        managementSystemId\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LeadLive($leadId: ID!, $after: ID) {\n    statusChanged(leadId: $leadId, after: $after) {\n      id\n      leadId\n      provider\n      entityId\n      from\n      to\n      occurredAt\n      lead {\n        id\n        stage\n        lastEvent\n      }\n      record {\n        __typename\n        ... on Application {\n          id\n          applicationStatus: status\n        }\n        ... on Verification {\n          id\n          verificationStatus: status\n          statusReasons\n        }\n        ... on Loan {\n          id\n          loanStatus\n        }\n        ... on Lead {\n          id\n          lastEvent\n        }\n      }\n      dispatch {\n        id\n        state\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription LeadLive($leadId: ID!, $after: ID) {\n    statusChanged(leadId: $leadId, after: $after) {\n      id\n      leadId\n      provider\n      entityId\n      from\n      to\n      occurredAt\n      lead {\n        id\n        stage\n        lastEvent\n      }\n      record {\n        __typename\n        ... on Application {\n          id\n          applicationStatus: status\n        }\n        ... on Verification {\n          id\n          verificationStatus: status\n          statusReasons\n        }\n        ... on Loan {\n          id\n          loanStatus\n        }\n        ... on Lead {\n          id\n          lastEvent\n        }\n      }\n      dispatch {\n        id\n        state\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DispatchEnds($leadId: ID, $after: ID) {\n    dispatchChanged(leadId: $leadId, after: $after) {\n      id\n      leadId\n      provider\n      entityId\n      from\n      to\n      occurredAt\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription DispatchEnds($leadId: ID, $after: ID) {\n    dispatchChanged(leadId: $leadId, after: $after) {\n      id\n      leadId\n      provider\n      entityId\n      from\n      to\n      occurredAt\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DispatchFields on Dispatch {\n    id\n    provider\n    operation\n    state\n    attempts\n    lastError {\n      code\n      errorCode\n      httpStatus\n      message\n    }\n  }\n"): (typeof documents)["\n  fragment DispatchFields on Dispatch {\n    id\n    provider\n    operation\n    state\n    attempts\n    lastError {\n      code\n      errorCode\n      httpStatus\n      message\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateLead($input: CreateLeadInput!) {\n    createLead(input: $input) {\n      id\n      advertiserRef\n      techeaLeadId\n      stage\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  mutation CreateLead($input: CreateLeadInput!) {\n    createLead(input: $input) {\n      id\n      advertiserRef\n      techeaLeadId\n      stage\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReportLeadEvent($input: ReportLeadEventInput!) {\n    reportLeadEvent(input: $input) {\n      outcome\n      lead {\n        id\n        lastEvent\n        stage\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ReportLeadEvent($input: ReportLeadEventInput!) {\n    reportLeadEvent(input: $input) {\n      outcome\n      lead {\n        id\n        lastEvent\n        stage\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateApplication($input: UpdateApplicationInput!) {\n    updateApplication(input: $input) {\n      application {\n        id\n        status\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateApplication($input: UpdateApplicationInput!) {\n    updateApplication(input: $input) {\n      application {\n        id\n        status\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateVerificationStatus($input: UpdateVerificationStatusInput!) {\n    updateVerificationStatus(input: $input) {\n      verification {\n        id\n        status\n        statusReasons\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateVerificationStatus($input: UpdateVerificationStatusInput!) {\n    updateVerificationStatus(input: $input) {\n      verification {\n        id\n        status\n        statusReasons\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpsertLoan($input: UpsertLoanInput!) {\n    upsertLoan(input: $input) {\n      loan {\n        id\n        loanStatus\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpsertLoan($input: UpsertLoanInput!) {\n    upsertLoan(input: $input) {\n      loan {\n        id\n        loanStatus\n      }\n      dispatch {\n        ...DispatchFields\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;