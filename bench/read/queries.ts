/**
 * The GraphQL documents of the read benchmark: every field of the contract's `Lead` and
 * of everything nested in it, for the gateway, and the closest equivalent PostGraphile 5
 * (Amber preset) offers over the same tables, for the peer.
 */

/** Every contract field of a Lead, with its records' fields and each record's `lead { id }`. */
const GATEWAY_LEAD = `
  id techeaLeadId advertiserRef stage lastEvent createdAt updatedAt
  application {
    id status productName
    credit { isSecured isMla currency underwritingGrade limit maxLimit score scorePulledAt scoreSource }
    adverseActionNotice { deliveredAt reason deliveryMethod }
    decision { decidedAt reason exceptionApprovalReason }
    documents { documentId type displayedAt consentedAt version }
    metadata createdAt updatedAt
    lead { id }
  }
  verification {
    authUuid processUuid status statusReasons name documentNumber documentType nationality company profileAlias cleaned
    operations { type operationId state totalTime }
    createdAt updatedAt
    lead { id }
  }
  loans {
    customerId loanId decisionCloudLeadId managementSystemId applicationType loanType loanStatus
    loanAmountCents fundedAmountCents firstPaymentDate appliedAt esignedAt withdrawnAt originatedAt
    lead { id }
  }
  history { id leadId provider entityId from to occurredAt }`;

/** The gateway's first page of 50 leads, newest first. */
export const GATEWAY_LEADS = `query BenchLeads {
  leads(first: 50) {
    edges { cursor node { ${GATEWAY_LEAD} } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

/** One lead of the gateway by id. */
export const GATEWAY_LEAD_BY_ID = `query BenchLead($id: ID!) {
  lead(id: $id) { ${GATEWAY_LEAD} }
}`;

/**
 * The same data from PostGraphile. Its schema mirrors the tables: the credit, notice and
 * decision columns are flat (no nested objects), enum-like columns are strings, bigints
 * are BigInt strings, the gateway's ids are `rowId` (`id` is PostGraphile's Node id,
 * not asked for), and relations are named after their composite foreign keys. The
 * orders are the gateway's: loans newest applied first, history newest first (20),
 * documents and operations by position. The gateway's history is its records' changes
 * only (not its dispatches' moves); PostGraphile's schema offers no condition on the
 * log's `kind`, and the data set holds record changes only when the read benchmark runs.
 */
const PEER_LEAD = `
  rowId techeaLeadId advertiserRef stage lastEvent createdAt updatedAt
  applicationByTenantIdAndLeadId {
    rowId status productName
    creditIsSecured creditIsMla creditCurrency creditUnderwritingGrade creditLimitCents creditMaxLimitCents
    creditScore creditScorePulledAt creditScoreSource
    aanDeliveredAt aanReason aanDeliveryMethod
    decisionDecidedAt decisionReason decisionExceptionApprovalReason
    applicationDocumentsByTenantIdAndApplicationId(orderBy: POSITION_ASC) {
      nodes { documentId type displayedAt consentedAt version }
    }
    metadata createdAt updatedAt
    leadByTenantIdAndLeadId { rowId }
  }
  verificationByTenantIdAndLeadId {
    authUuid processUuid status statusReasons name documentNumber documentType nationality company profileAlias cleaned
    verificationOperationsByTenantIdAndAuthUuid(orderBy: POSITION_ASC) {
      nodes { type operationId state totalTime }
    }
    createdAt updatedAt
    leadByTenantIdAndLeadId { rowId }
  }
  loansByTenantIdAndLeadId(orderBy: [APPLIED_AT_DESC, LOAN_ID_DESC]) {
    nodes {
      customerId loanId decisionCloudLeadId managementSystemId applicationType loanType loanStatus
      loanAmountCents fundedAmountCents firstPaymentDate appliedAt esignedAt withdrawnAt originatedAt
      leadByTenantIdAndLeadId { rowId }
    }
  }
  statusChangesByTenantIdAndLeadId(first: 20, orderBy: ROW_ID_DESC) {
    nodes { rowId leadId provider entityId fromStatus toStatus occurredAt }
  }`;

/** PostGraphile's first page of 50 leads of the tenant, newest first (a condition stands in for the gateway's tenant scope). */
export const PEER_LEADS = `query BenchLeads {
  allLeads(first: 50, condition: { tenantId: "default" }, orderBy: SEQ_DESC) {
    edges { cursor node { ${PEER_LEAD} } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

/** One lead of the tenant from PostGraphile, by the same unique key the gateway reads (tenant_id, id). */
export const PEER_LEAD_BY_ID = `query BenchLead($id: UUID!) {
  leadByTenantIdAndRowId(tenantId: "default", rowId: $id) { ${PEER_LEAD} }
}`;
