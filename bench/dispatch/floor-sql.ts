/**
 * The dispatch floor's statements (see floor-server.ts): three per mutation, the least
 * the durable work allows with the outbox committed before the provider call.
 *
 * 1. {@link FLOOR_KEY_SQL}: the API key by its hash, as the gateway checks it.
 * 2. {@link FLOOR_RECORD_LEAD_EVENT_SQL} / {@link FLOOR_RECORD_APPLICATION_SQL}: the
 *    outbox row, claimed (lease and lock token, so no poller sends it meanwhile), in
 *    the statement that checks the record exists; committed before the call.
 * 3. {@link FLOOR_APPLY_LEAD_EVENT_SQL} / {@link FLOOR_APPLY_APPLICATION_SQL}: one
 *    statement, so one transaction: the dispatch SUCCEEDED (only from PENDING), the
 *    record as the provider confirmed it, the lead's stage derived under the lead's row
 *    lock, the record's status change then the dispatch's end appended under the
 *    tenant's log lock with a NOTIFY each, as the gateway orders them (record row, lead
 *    row, log lock: the same lock order as every gateway writer).
 *
 * Data-modifying CTEs all run on one snapshot and in no set order: each step reads the
 * RETURNING of the step before it, which orders them (a CTE that is read is run before
 * the rows that need it), and reads nothing another step of the statement wrote.
 */
import { STAGE_SQL_PARAMETERS, stageSql } from '../../src/domain/stage-sql.js';

/** Marks the floor's outbox rows (`request_id`), so the benchmark checks them apart from the gateway's. */
export const FLOOR_REQUEST_ID_PREFIX = 'bench-floor-';

/** What the floor needs of the sandboxes (bench/lib/sandboxes.ts). */
export interface FloorProviders {
  readonly techea: { readonly baseUrl: string; readonly apiKey: string };
  readonly leadBank: { readonly baseUrl: string; readonly clientId: string; readonly clientSecret: string };
}

/** The gateway's check of a key (src/auth/api-keys.ts). $1: the key's SHA-256, hex. */
export const FLOOR_KEY_SQL = `SELECT tenant_id, role FROM api_key
  WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`;

/**
 * The outbox row's columns after `payload`, as the gateway writes a claimed first
 * attempt (src/dispatch/outbox.ts). Six parameters from $n: idempotency key, request
 * hash, max attempts, lease ms, lock token, request id.
 */
function claimed(n: number): string {
  return `$${n}, $${n + 1}, 'PENDING', 1, $${n + 2}, now(), now() + make_interval(secs => $${n + 3} / 1000.0), $${n + 4}::uuid, $${n + 5}`;
}
const DISPATCH_COLUMNS = `tenant_id, provider, operation, lead_id, payload, idempotency_key, request_hash, state,
                          attempts, max_attempts, run_at, locked_until, lock_token, request_id`;

/** $1 tenant, $2 lead id, $3 event, $4 advertiser reference (or null), then {@link claimed}'s. */
export const FLOOR_RECORD_LEAD_EVENT_SQL = `
  INSERT INTO dispatch (${DISPATCH_COLUMNS})
  SELECT l.tenant_id, 'TECHEA', 'reportLeadEvent', l.id,
         jsonb_strip_nulls(jsonb_build_object('operation', 'reportLeadEvent', 'techeaLeadId', l.techea_lead_id, 'event', $3::text, 'advertiserRef', $4::text)),
         ${claimed(5)}
    FROM lead l WHERE l.tenant_id = $1 AND l.id = $2 AND l.techea_lead_id IS NOT NULL
  ON CONFLICT (tenant_id, operation, idempotency_key) DO NOTHING
  RETURNING id, lead_id, payload->>'techeaLeadId' AS techea_lead_id`;

/** $1 tenant, $2 application id, $3 the command (JSON), then {@link claimed}'s. */
export const FLOOR_RECORD_APPLICATION_SQL = `
  INSERT INTO dispatch (${DISPATCH_COLUMNS})
  SELECT a.tenant_id, 'LEAD_BANK', 'updateApplication', a.lead_id, $3::jsonb, ${claimed(4)}
    FROM application a WHERE a.tenant_id = $1 AND a.id = $2
  ON CONFLICT (tenant_id, operation, idempotency_key) DO NOTHING
  RETURNING id, lead_id`;

/** The gateway's stage table as data, so PostgreSQL derives the stage under the lead's lock (src/domain/stage-sql.ts). */
export const STAGE_PARAMETERS = STAGE_SQL_PARAMETERS;

/** The gateway's `stageSql` over a row `f` with the four facts, the table in parameters `$t`, `$s`, `$r`. */
function stageOf(t: string, s: string, r: string): string {
  return stageSql(
    { lastEvent: 'f.last_event', applicationStatus: 'f.application_status', verificationStatus: 'f.verification_status', latestLoanStatus: 'f.latest_loan_status' },
    [t, s, r],
  );
}

/** The lead's facts other than its last event and its application, as `refreshLeadStage` reads them. */
const OTHER_FACTS = `
  (SELECT v.status FROM verification v WHERE v.tenant_id = l.tenant_id AND v.lead_id = l.id AND v.synced_at IS NOT NULL) AS verification_status,
  (SELECT lo.loan_status FROM loan lo WHERE lo.tenant_id = l.tenant_id AND lo.lead_id = l.id
    ORDER BY lo.applied_at DESC, lo.loan_id DESC LIMIT 1) AS latest_loan_status`;

/** Settles the dispatch $1 (only from PENDING) with result $2. */
const SETTLE = `settled AS (
  UPDATE dispatch SET state = 'SUCCEEDED', result = $2::jsonb, last_error = NULL, locked_until = NULL, lock_token = NULL, updated_at = now()
   WHERE id = $1 AND state = 'PENDING'
  RETURNING id, tenant_id, lead_id, state, attempts)`;

/** The log's lock namespace and channel (src/events/status-change-log.ts). */
const LOG_LOCK_NAMESPACE = 41_772;
export const STATUS_CHANGE_CHANNEL = 'leadgraph_status_change';

/**
 * Appends `changes` (rows: ord, tenant_id, lead_id, provider, entity_id, from_status,
 * to_status, kind, dispatch_id) in `ord` order under the tenant's log lock, taken only
 * once `after` (a list of CTEs) has run, and notifies each.
 */
function append(after: readonly string[]): string {
  const waits = after.map((cte, i) => `(SELECT count(*) FROM ${cte}) w${i}`).join(', ');
  return `log_lock AS MATERIALIZED (
    SELECT pg_advisory_xact_lock(${LOG_LOCK_NAMESPACE}, hashtext(s.tenant_id)) AS locked FROM settled s, ${waits}),
  appended AS (
    INSERT INTO status_change (tenant_id, lead_id, provider, entity_id, from_status, to_status, occurred_at, kind, dispatch_id)
    SELECT c.tenant_id, c.lead_id, c.provider, c.entity_id, c.from_status, c.to_status, now(), c.kind, c.dispatch_id
      FROM changes c, log_lock ORDER BY c.ord
    RETURNING id, tenant_id)`;
}

const NOTIFIED = `(SELECT count(pg_notify('${STATUS_CHANGE_CHANNEL}', a.tenant_id || ':' || a.id)) FROM appended a)`;

/**
 * reportLeadEvent's result: $1 dispatch, $2 stored result, $3 event, $4 advertiser
 * reference, $5 whether TECHEA answered `ignored`, $6–$8 {@link STAGE_PARAMETERS}.
 * An ignored event already in the log leaves the lead alone (src/dispatch/apply-result.ts).
 * Answers the lead's id and stage and the dispatch's state and attempts.
 */
export const FLOOR_APPLY_LEAD_EVENT_SQL = `
  WITH ${SETTLE},
  facts AS (
    SELECT l.id, l.tenant_id, l.last_event AS previous_event, l.techea_lead_id, $3::text AS last_event,
           (SELECT a.status FROM application a WHERE a.tenant_id = l.tenant_id AND a.lead_id = l.id AND a.synced_at IS NOT NULL) AS application_status,
           ${OTHER_FACTS}
      FROM lead l JOIN settled s ON l.id = s.lead_id AND l.tenant_id = s.tenant_id
     WHERE NOT ($5::boolean AND EXISTS (SELECT 1 FROM status_change c WHERE c.tenant_id = l.tenant_id AND c.lead_id = l.id
                                                                         AND c.provider = 'TECHEA' AND c.to_status = $3))
       FOR UPDATE OF l),
  updated AS (
    UPDATE lead l SET stage = ${stageOf('$6', '$7', '$8')}, last_event = f.last_event, advertiser_ref = coalesce($4, l.advertiser_ref), updated_at = now()
      FROM facts f WHERE l.id = f.id
    RETURNING l.id, l.stage, f.previous_event, coalesce(f.techea_lead_id::text, f.id::text) AS entity_id),
  changes AS (
    SELECT 1 AS ord, s.tenant_id, u.id AS lead_id, 'TECHEA' AS provider, u.entity_id, u.previous_event AS from_status, $3 AS to_status,
           'RECORD' AS kind, s.id AS dispatch_id
      FROM settled s, updated u WHERE u.previous_event IS DISTINCT FROM $3
    UNION ALL
    SELECT 2, s.tenant_id, s.lead_id, 'TECHEA', d.payload->>'techeaLeadId', 'PENDING', 'SUCCEEDED', 'DISPATCH', s.id
      FROM settled s JOIN dispatch d ON d.id = s.id),
  ${append(['updated'])}
  SELECT s.id, s.state, s.attempts, s.lead_id, coalesce((SELECT u.stage FROM updated u), l.stage) AS stage, ${NOTIFIED} AS notified
    FROM settled s JOIN lead l ON l.id = s.lead_id`;

/**
 * updateApplication's result: $1 dispatch, $2 stored result, $3 the application as
 * Lead Bank confirmed it (the gateway's ApplicationRecord as JSON), $4 its documents
 * with their positions, $5–$7 {@link STAGE_PARAMETERS}. The record is the whole
 * application (Lead Bank's answer), its documents replaced whole; a status that moved,
 * or an application new to its lead, is a RECORD change (src/services/record-writer.ts).
 */
export const FLOOR_APPLY_APPLICATION_SQL = `
  WITH ${SETTLE},
  previous AS (
    SELECT a.tenant_id, a.id, a.lead_id, a.status, a.synced_at
      FROM application a JOIN settled s ON a.tenant_id = s.tenant_id
     WHERE a.id = $3::jsonb->>'id' FOR UPDATE OF a),
  app AS (
    UPDATE application a SET
      lead_id = coalesce(p.lead_id, s.lead_id),
      status = $3::jsonb->>'status', provider_status = $3::jsonb->>'providerStatus', product_name = $3::jsonb->>'productName',
      credit_is_secured = ($3::jsonb->'credit'->>'isSecured')::boolean, credit_is_mla = ($3::jsonb->'credit'->>'isMla')::boolean,
      credit_currency = $3::jsonb->'credit'->>'currency', credit_underwriting_grade = $3::jsonb->'credit'->>'underwritingGrade',
      credit_limit_cents = ($3::jsonb->'credit'->>'limitCents')::bigint, credit_max_limit_cents = ($3::jsonb->'credit'->>'maxLimitCents')::bigint,
      credit_score = ($3::jsonb->'credit'->>'score')::int, credit_score_pulled_at = ($3::jsonb->'credit'->>'scorePulledAt')::timestamptz,
      credit_score_source = $3::jsonb->'credit'->>'scoreSource',
      aan_delivered_at = ($3::jsonb->'adverseActionNotice'->>'deliveredAt')::timestamptz, aan_reason = $3::jsonb->'adverseActionNotice'->>'reason',
      aan_delivery_method = $3::jsonb->'adverseActionNotice'->>'deliveryMethod',
      decision_decided_at = ($3::jsonb->'decision'->>'decidedAt')::timestamptz, decision_reason = $3::jsonb->'decision'->>'reason',
      decision_exception_approval_reason = $3::jsonb->'decision'->>'exceptionApprovalReason',
      metadata = nullif($3::jsonb->'metadata', 'null'::jsonb), entities = nullif($3::jsonb->'entities', 'null'::jsonb),
      created_at = ($3::jsonb->>'createdAt')::timestamptz, updated_at = ($3::jsonb->>'updatedAt')::timestamptz, synced_at = now()
      FROM previous p, settled s WHERE a.tenant_id = p.tenant_id AND a.id = p.id
    RETURNING a.tenant_id, a.id, a.lead_id, a.status, a.product_name,
              p.lead_id IS NULL OR p.synced_at IS NULL AS new_to_lead, CASE WHEN p.synced_at IS NULL THEN NULL ELSE p.status END AS from_status),
  removed AS (
    DELETE FROM application_document d USING app WHERE d.tenant_id = app.tenant_id AND d.application_id = app.id RETURNING 1),
  documents AS (
    INSERT INTO application_document (tenant_id, application_id, position, document_id, type, displayed_at, consented_at, version)
    SELECT app.tenant_id, app.id, d.position, d."documentId", d.type, d."displayedAt", d."consentedAt", d.version
      FROM app, (SELECT count(*) FROM removed) r,
           jsonb_to_recordset($4::jsonb) AS d(position int, "documentId" text, type text, "displayedAt" timestamptz, "consentedAt" timestamptz, version text)
    RETURNING 1),
  facts AS (
    SELECT l.id, l.last_event, app.status AS application_status, ${OTHER_FACTS}
      FROM app JOIN lead l ON l.id = app.lead_id AND l.tenant_id = app.tenant_id
       FOR UPDATE OF l),
  updated AS (
    UPDATE lead l SET stage = ${stageOf('$5', '$6', '$7')}, updated_at = now() FROM facts f WHERE l.id = f.id RETURNING l.id),
  changes AS (
    SELECT 1 AS ord, app.tenant_id, app.lead_id, 'LEAD_BANK' AS provider, app.id AS entity_id, CASE WHEN app.new_to_lead THEN NULL ELSE app.from_status END AS from_status,
           app.status AS to_status, 'RECORD' AS kind, s.id AS dispatch_id
      FROM app, settled s
     WHERE app.lead_id IS NOT NULL AND app.status IS NOT NULL AND (app.new_to_lead OR app.from_status IS DISTINCT FROM app.status)
    UNION ALL
    SELECT 2, s.tenant_id, s.lead_id, 'LEAD_BANK', $3::jsonb->>'id', 'PENDING', 'SUCCEEDED', 'DISPATCH', s.id FROM settled s),
  ${append(['updated', 'documents'])}
  SELECT s.id, s.state, s.attempts, app.id AS application_id, app.product_name, ${NOTIFIED} AS notified
    FROM settled s, app`;
