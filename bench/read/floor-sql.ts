/**
 * The floor's two statements. Each builds the whole `{"data":{…}}` answer as JSON text in
 * PostgreSQL, shaped exactly like the gateway's answer to the matching query in
 * `queries.ts`: the same orders, the same null-collapsing of nested objects, the same
 * scalar encodings (ISO instants in UTC with milliseconds, bigint ids as strings,
 * cents as numbers; cursors are marked positions, encoded by the floor server).
 */

/** `DateTimeISO` as graphql's serializer writes it: `Date.prototype.toISOString()`. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The lead's page position, marked for the floor server to turn into the gateway's
 * opaque cursor (one AES block under the installation's key: src/graphql/cursor.ts),
 * which PostgreSQL cannot compute without pgcrypto.
 */
const cursor = (seq: string) => `'${CURSOR_MARK}' || ${seq}`;

/** Prefix of a lead position in the floor's JSON, replaced by its cursor before the answer is sent. */
export const CURSOR_MARK = '#lead-seq:';

/** A nested object the gateway answers as null when every one of its fields is null. */
const presentOrNull = (fields: ReadonlyArray<readonly [string, string]>) =>
  `CASE WHEN num_nonnulls(${fields.map(([, sql]) => sql).join(', ')}) > 0 THEN json_build_object(${fields
    .map(([name, sql]) => `'${name}', ${sql}`)
    .join(', ')}) END`;

/** The JSON of lead `l`, with everything linked to it, as the gateway's `Lead` selection answers it. */
const LEAD_JSON = `json_build_object(
  'id', l.id, 'techeaLeadId', l.techea_lead_id, 'advertiserRef', l.advertiser_ref, 'stage', l.stage,
  'lastEvent', l.last_event, 'createdAt', ${iso('l.created_at')}, 'updatedAt', ${iso('l.updated_at')},
  'application', (
    SELECT json_build_object(
      'id', a.id, 'status', a.status, 'productName', a.product_name,
      'credit', ${presentOrNull([
        ['isSecured', 'a.credit_is_secured'],
        ['isMla', 'a.credit_is_mla'],
        ['currency', 'a.credit_currency'],
        ['underwritingGrade', 'a.credit_underwriting_grade'],
        ['limit', 'a.credit_limit_cents'],
        ['maxLimit', 'a.credit_max_limit_cents'],
        ['score', 'a.credit_score'],
        ['scorePulledAt', iso('a.credit_score_pulled_at')],
        ['scoreSource', 'a.credit_score_source'],
      ])},
      'adverseActionNotice', ${presentOrNull([
        ['deliveredAt', iso('a.aan_delivered_at')],
        ['reason', 'a.aan_reason'],
        ['deliveryMethod', 'a.aan_delivery_method'],
      ])},
      'decision', ${presentOrNull([
        ['decidedAt', iso('a.decision_decided_at')],
        ['reason', 'a.decision_reason'],
        ['exceptionApprovalReason', 'a.decision_exception_approval_reason'],
      ])},
      'documents', coalesce((
        SELECT json_agg(json_build_object(
          'documentId', d.document_id, 'type', d.type, 'displayedAt', ${iso('d.displayed_at')},
          'consentedAt', ${iso('d.consented_at')}, 'version', d.version) ORDER BY d.position)
        FROM application_document d WHERE d.tenant_id = a.tenant_id AND d.application_id = a.id), '[]'),
      'metadata', a.metadata, 'createdAt', ${iso('a.created_at')}, 'updatedAt', ${iso('a.updated_at')},
      'lead', json_build_object('id', l.id))
    FROM application a WHERE a.tenant_id = l.tenant_id AND a.lead_id = l.id),
  'verification', (
    SELECT json_build_object(
      'authUuid', v.auth_uuid, 'processUuid', v.process_uuid, 'status', v.status, 'statusReasons', v.status_reasons,
      'name', v.name, 'documentNumber', v.document_number, 'documentType', v.document_type,
      'nationality', v.nationality, 'company', v.company, 'profileAlias', v.profile_alias, 'cleaned', v.cleaned,
      'operations', coalesce((
        SELECT json_agg(json_build_object(
          'type', o.type, 'operationId', o.operation_id, 'state', o.state, 'totalTime', o.total_time) ORDER BY o.position)
        FROM verification_operation o WHERE o.tenant_id = v.tenant_id AND o.auth_uuid = v.auth_uuid), '[]'),
      'createdAt', ${iso('v.created_at')}, 'updatedAt', ${iso('v.updated_at')},
      'lead', json_build_object('id', l.id))
    FROM verification v WHERE v.tenant_id = l.tenant_id AND v.lead_id = l.id),
  'loans', coalesce((
    SELECT json_agg(json_build_object(
      'customerId', n.customer_id, 'loanId', n.loan_id, 'decisionCloudLeadId', n.decision_cloud_lead_id,
      'managementSystemId', n.management_system_id, 'applicationType', n.application_type, 'loanType', n.loan_type,
      'loanStatus', n.loan_status, 'loanAmountCents', n.loan_amount_cents, 'fundedAmountCents', n.funded_amount_cents,
      'firstPaymentDate', to_char(n.first_payment_date, 'YYYY-MM-DD'), 'appliedAt', ${iso('n.applied_at')},
      'esignedAt', ${iso('n.esigned_at')}, 'withdrawnAt', ${iso('n.withdrawn_at')}, 'originatedAt', ${iso('n.originated_at')},
      'lead', json_build_object('id', l.id)) ORDER BY n.applied_at DESC, n.loan_id DESC)
    FROM loan n WHERE n.tenant_id = l.tenant_id AND n.lead_id = l.id), '[]'),
  'history', coalesce((
    SELECT json_agg(json_build_object(
      'id', h.id::text, 'leadId', h.lead_id, 'provider', h.provider, 'entityId', h.entity_id,
      'from', h.from_status, 'to', h.to_status, 'occurredAt', ${iso('h.occurred_at')}) ORDER BY h.id DESC)
    FROM (
      SELECT * FROM status_change s WHERE s.tenant_id = l.tenant_id AND s.lead_id = l.id AND s.kind = 'RECORD' ORDER BY s.id DESC LIMIT 20
    ) h), '[]'))`;

/** `leads(first: $2)` of tenant $1: one page newest first, whether there is a next one, and the total. */
export const FLOOR_LEADS_SQL = `
WITH page AS (
  SELECT * FROM lead WHERE tenant_id = $1 ORDER BY seq DESC LIMIT $2::int + 1
), shown AS (
  SELECT * FROM page ORDER BY seq DESC LIMIT $2
)
SELECT json_build_object('data', json_build_object('leads', json_build_object(
  'edges', coalesce((SELECT json_agg(json_build_object('cursor', ${cursor('l.seq')}, 'node', ${LEAD_JSON}) ORDER BY l.seq DESC) FROM shown l), '[]'),
  'pageInfo', json_build_object(
    'hasNextPage', (SELECT count(*) FROM page) > $2,
    'endCursor', (SELECT ${cursor('min(seq)')} FROM shown)),
  'totalCount', (SELECT count(*) FROM lead WHERE tenant_id = $1)
)))::text AS body`;

/** `lead(id: $2)` of tenant $1 (`{"data":{"lead":null}}` when it does not exist). */
export const FLOOR_LEAD_SQL = `
SELECT json_build_object('data', json_build_object('lead', (
  SELECT ${LEAD_JSON} FROM lead l WHERE l.tenant_id = $1 AND l.id = $2::uuid
)))::text AS body`;
