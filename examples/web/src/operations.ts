/**
 * Every operation the app sends, named (GraphQL Code Generator skips anonymous ones) and
 * typed by `npm run example:codegen` from schema.graphql: `graphql(…)` returns a typed
 * document, so the variables and the result of each call below are checked by tsc.
 */
import { graphql } from './gql';

/** One page of leads, newest first: `relayStylePagination` appends the next pages by cursor. */
export const LeadsPage = graphql(`
  query LeadsPage($first: Int!, $after: String, $filter: LeadFilter) {
    leads(first: $first, after: $after, filter: $filter) {
      totalCount
      edges {
        cursor
        node {
          id
          advertiserRef
          techeaLeadId
          stage
          updatedAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** One lead's whole state, and `statusHead`, which the gateway reads before the rest: the live view starts there. */
export const LeadPage = graphql(`
  query LeadPage($id: ID!) {
    statusHead
    lead(id: $id) {
      id
      techeaLeadId
      advertiserRef
      decisionCloudCustomerId
      stage
      lastEvent
      updatedAt
      application {
        id
        status
        productName
      }
      verification {
        id
        authUuid
        status
        statusReasons
      }
      loans {
        id
        customerId
        loanId
        loanStatus
        loanAmountCents
        appliedAt
        decisionCloudLeadId
        managementSystemId
      }
    }
  }
`);

/**
 * The lead's status changes, replayed from `after` then live. Each carries the lead's stage
 * and the changed record as they are now, so writing the event to the cache updates the view.
 */
export const LeadLive = graphql(`
  subscription LeadLive($leadId: ID!, $after: ID) {
    statusChanged(leadId: $leadId, after: $after) {
      id
      leadId
      provider
      entityId
      from
      to
      occurredAt
      lead {
        id
        stage
        lastEvent
      }
      record {
        __typename
        ... on Application {
          id
          applicationStatus: status
        }
        ... on Verification {
          id
          verificationStatus: status
          statusReasons
        }
        ... on Loan {
          id
          loanStatus
        }
        ... on Lead {
          id
          lastEvent
        }
      }
      dispatch {
        id
        state
      }
    }
  }
`);

/** Where every dispatch of the lead ends (SUCCEEDED or FAILED), or goes back to PENDING: a page never polls. */
export const DispatchEnds = graphql(`
  subscription DispatchEnds($leadId: ID, $after: ID) {
    dispatchChanged(leadId: $leadId, after: $after) {
      id
      leadId
      provider
      entityId
      from
      to
      occurredAt
      dispatch {
        ...DispatchFields
      }
    }
  }
`);

/** What the app shows of a dispatch. */
export const DispatchFields = graphql(`
  fragment DispatchFields on Dispatch {
    id
    provider
    operation
    state
    attempts
    lastError {
      code
      errorCode
      httpStatus
      message
    }
  }
`);

export const CreateLead = graphql(`
  mutation CreateLead($input: CreateLeadInput!) {
    createLead(input: $input) {
      id
      advertiserRef
      techeaLeadId
      stage
      updatedAt
    }
  }
`);

/** TECHEA: a lead status event. */
export const ReportLeadEvent = graphql(`
  mutation ReportLeadEvent($input: ReportLeadEventInput!) {
    reportLeadEvent(input: $input) {
      outcome
      lead {
        id
        lastEvent
        stage
      }
      dispatch {
        ...DispatchFields
      }
    }
  }
`);

/** Lead Bank: the application's status (a decline carries its adverse action notice). */
export const UpdateApplication = graphql(`
  mutation UpdateApplication($input: UpdateApplicationInput!) {
    updateApplication(input: $input) {
      application {
        id
        status
      }
      dispatch {
        ...DispatchFields
      }
    }
  }
`);

/** Tecalis: the verification's final state. */
export const UpdateVerificationStatus = graphql(`
  mutation UpdateVerificationStatus($input: UpdateVerificationStatusInput!) {
    updateVerificationStatus(input: $input) {
      verification {
        id
        status
        statusReasons
      }
      dispatch {
        ...DispatchFields
      }
    }
  }
`);

/** Decision Cloud: a loan, new or changed. */
export const UpsertLoan = graphql(`
  mutation UpsertLoan($input: UpsertLoanInput!) {
    upsertLoan(input: $input) {
      loan {
        id
        loanStatus
      }
      dispatch {
        ...DispatchFields
      }
    }
  }
`);
