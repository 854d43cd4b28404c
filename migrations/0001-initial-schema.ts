import { type MigrationInterface, type QueryRunner } from 'typeorm';

const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

// Vocabularies are spelled out here rather than imported: a migration is a snapshot
// of the schema at the time it was written, and must not change when the code does.
const PROVIDERS = ['TECHEA', 'LEAD_BANK', 'TECALIS', 'DECISION_CLOUD'];
const LEAD_STAGES = [
  'NEW', 'REGISTERED', 'VERIFYING', 'VERIFIED', 'VERIFICATION_FAILED', 'APPROVED', 'DECLINED',
  'CANCELED', 'LOAN_ISSUED', 'LOAN_REJECTED', 'LOAN_PAID', 'LOAN_DEFAULTED',
];
const LEAD_EVENTS = ['REGISTRATION', 'LOAN_ISSUED', 'LOAN_REJECTED', 'LOAN_PAID', 'LOAN_DEFAULTED'];
const APPLICATION_STATUSES = ['APPROVED', 'DECLINED', 'CANCELED'];
const VERIFICATION_STATUSES = ['PENDING', 'OK', 'KO', 'CANCELLED'];
const OPERATION_TYPES = ['DOCUMENTS', 'HOME', 'OCR', 'POL', 'FINISH'];
const OPERATION_STATES = ['NOT_STARTED', 'OK', 'KO'];
const LOAN_APPLICATION_TYPES = ['NEW', 'RETURNING', 'REFINANCED'];
const LOAN_TYPES = ['PAYDAY', 'INSTALLMENT', 'LINE_OF_CREDIT'];
const LOAN_STATUSES = [
  'PENDING', 'EXPIRED', 'WITHDRAWN', 'DENIED', 'APPROVED', 'ORIGINATED', 'REVERSED', 'PAST_DUE',
  'WRITTEN_OFF', 'CURRENT', 'PAID_IN_FULL',
];
const DISPATCH_STATES = ['PENDING', 'SUCCEEDED', 'FAILED'];

/**
 * Migration 0001. TypeORM orders migrations by the 13 digits that end the class
 * name; we use the migration's number there instead of a wall-clock time.
 */
export class InitialSchema0000000000001 implements MigrationInterface {
  name = 'InitialSchema0000000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE lead (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Insertion order: the stable key behind page cursors (timestamps can tie).
        seq bigint NOT NULL GENERATED ALWAYS AS IDENTITY UNIQUE,
        techea_lead_id uuid UNIQUE,
        advertiser_ref text,
        decision_cloud_customer_id text UNIQUE,
        stage text NOT NULL DEFAULT 'NEW' CHECK (stage IN (${sqlList(LEAD_STAGES)})),
        last_event text CHECK (last_event IN (${sqlList(LEAD_EVENTS)})),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The page order is newest first (seq DESC); the unique index on seq serves it,
    // this one serves the stage filter in the same order.
    await q.query(`CREATE INDEX lead_stage_seq_idx ON lead (stage, seq DESC)`);
    await q.query(`CREATE INDEX lead_updated_idx ON lead (updated_at)`);

    await q.query(`
      CREATE TABLE application (
        id text PRIMARY KEY CHECK (id ~ '^application_\\w+$'),
        lead_id uuid UNIQUE REFERENCES lead (id) ON DELETE SET NULL,
        status text CHECK (status IN (${sqlList(APPLICATION_STATUSES)})),
        product_name text,
        credit_is_secured boolean,
        credit_is_mla boolean,
        credit_currency text,
        credit_underwriting_grade text,
        credit_limit_cents bigint CHECK (credit_limit_cents >= 0),
        credit_max_limit_cents bigint CHECK (credit_max_limit_cents >= 0),
        credit_score integer,
        credit_score_pulled_at timestamptz,
        credit_score_source text,
        aan_delivered_at timestamptz,
        aan_reason text,
        aan_delivery_method text,
        decision_decided_at timestamptz,
        decision_reason text,
        decision_exception_approval_reason text,
        metadata jsonb,
        created_at timestamptz,
        updated_at timestamptz,
        synced_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE application_document (
        application_id text NOT NULL REFERENCES application (id) ON DELETE CASCADE,
        position integer NOT NULL CHECK (position >= 0),
        document_id text,
        type text NOT NULL,
        displayed_at timestamptz,
        consented_at timestamptz,
        version text,
        PRIMARY KEY (application_id, position)
      )`);

    await q.query(`
      CREATE TABLE verification (
        auth_uuid uuid PRIMARY KEY,
        lead_id uuid UNIQUE REFERENCES lead (id) ON DELETE SET NULL,
        process_uuid uuid,
        status text NOT NULL CHECK (status IN (${sqlList(VERIFICATION_STATUSES)})),
        status_reasons text,
        name text,
        document_number text,
        document_type text,
        nationality text,
        company text,
        profile_alias text,
        cleaned boolean,
        created_at timestamptz,
        updated_at timestamptz,
        synced_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE verification_operation (
        operation_id uuid PRIMARY KEY,
        auth_uuid uuid NOT NULL REFERENCES verification (auth_uuid) ON DELETE CASCADE,
        position integer NOT NULL CHECK (position >= 0),
        type text NOT NULL CHECK (type IN (${sqlList(OPERATION_TYPES)})),
        state text NOT NULL CHECK (state IN (${sqlList(OPERATION_STATES)})),
        total_time integer NOT NULL CHECK (total_time >= 0),
        UNIQUE (auth_uuid, position)
      )`);

    await q.query(`
      CREATE TABLE loan (
        customer_id text NOT NULL,
        loan_id text NOT NULL,
        lead_id uuid REFERENCES lead (id) ON DELETE SET NULL,
        decision_cloud_lead_id integer,
        management_system_id integer,
        application_type text CHECK (application_type IN (${sqlList(LOAN_APPLICATION_TYPES)})),
        loan_type text CHECK (loan_type IN (${sqlList(LOAN_TYPES)})),
        loan_status text CHECK (loan_status IN (${sqlList(LOAN_STATUSES)})),
        loan_amount_cents bigint NOT NULL CHECK (loan_amount_cents >= 0),
        funded_amount_cents bigint CHECK (funded_amount_cents >= 0),
        first_payment_date date,
        applied_at timestamptz NOT NULL,
        esigned_at timestamptz,
        withdrawn_at timestamptz,
        originated_at timestamptz,
        synced_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (customer_id, loan_id),
        CHECK (decision_cloud_lead_id IS NOT NULL OR management_system_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX loan_lead_idx ON loan (lead_id, applied_at DESC)`);

    await q.query(`
      CREATE TABLE status_change (
        id bigint PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
        lead_id uuid NOT NULL REFERENCES lead (id) ON DELETE CASCADE,
        provider text NOT NULL CHECK (provider IN (${sqlList(PROVIDERS)})),
        entity_id text NOT NULL,
        from_status text,
        to_status text NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX status_change_lead_idx ON status_change (lead_id, id DESC)`);

    await q.query(`
      CREATE TABLE dispatch (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider text NOT NULL CHECK (provider IN (${sqlList(PROVIDERS)})),
        operation text NOT NULL,
        lead_id uuid REFERENCES lead (id) ON DELETE SET NULL,
        payload jsonb NOT NULL,
        idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN (${sqlList(DISPATCH_STATES)})),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        max_attempts integer NOT NULL CHECK (max_attempts >= 1),
        run_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error jsonb,
        result jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (operation, idempotency_key)
      )`);
    // The dispatcher's claim query only ever looks at due, pending rows.
    await q.query(`CREATE INDEX dispatch_due_idx ON dispatch (run_at) WHERE state = 'PENDING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'dispatch', 'status_change', 'loan', 'verification_operation', 'verification',
      'application_document', 'application', 'lead',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
