import { type ApplicationEntitiesRecord, type ApplicationRecord } from '../../domain/records.js';
import { ApplicationDocumentType, type ApplicationStatus } from '../../domain/vocabulary.js';
import { type UpdateApplicationCommand } from '../provider.js';
import { DOCUMENT_TYPES, STATUSES, type WireApplication, type WireApplicationPatch, type WireCredit, type WireStatus } from './wire.js';

/** Unified application status → Lead Bank's spelling. */
export function toWireStatus(status: ApplicationStatus): WireStatus {
  return STATUSES.toWire(status);
}

/** Lead Bank's `status` → unified status; undefined for a value Lead Bank does not define. */
export function fromWireStatus(status: string): ApplicationStatus | undefined {
  return STATUSES.fromWire(status);
}

/** The merge patch for a command: only the fields the command carries, in Lead Bank's names. */
export function toWirePatch(command: UpdateApplicationCommand): WireApplicationPatch {
  const { credit, adverseActionNotice: notice, decision } = command;
  // `!== undefined` throughout: a null is sent as null, which removes the member at Lead Bank.
  const details: WireApplicationPatch['details'] = {
    ...(command.productName !== undefined && { product_name: command.productName }),
    ...(credit !== undefined && { credit: credit === null ? null : toWireCredit(credit) }),
    ...(notice !== undefined && {
      adverse_action_notice: notice === null ? null : { delivered_at: notice.deliveredAt, reason: notice.reason, delivery_method: notice.deliveryMethod },
    }),
  };
  return {
    ...(command.status !== undefined && { status: toWireStatus(command.status) }),
    ...(Object.keys(details).length > 0 && { details }),
    ...(decision !== undefined && {
      decision: {
        ...(decision.decidedAt !== undefined && { decided_at: decision.decidedAt }),
        ...(decision.reason !== undefined && { reason: decision.reason }),
        ...(decision.exceptionApprovalReason !== undefined && { exception_approval_reason: decision.exceptionApprovalReason }),
      },
    }),
    ...(command.documents !== undefined && {
      documents: command.documents.map((d) => ({
        ...(d.documentId !== undefined && { document_id: d.documentId }),
        type: d.type,
        ...(d.displayedAt !== undefined && { displayed_at: d.displayedAt }),
        ...(d.consentedAt !== undefined && { consented_at: d.consentedAt }),
        ...(d.version !== undefined && { version: d.version }),
      })),
    }),
    ...(command.metadata !== undefined && { metadata: command.metadata }),
  };
}

function toWireCredit(credit: NonNullable<UpdateApplicationCommand['credit']>): WireCredit {
  return {
    ...(credit.isSecured !== undefined && { is_secured: credit.isSecured }),
    ...(credit.isMla !== undefined && { is_mla: credit.isMla }),
    ...(credit.currency !== undefined && { currency: credit.currency }),
    ...(credit.underwritingGrade !== undefined && { underwriting_grade: credit.underwritingGrade }),
    ...(credit.limitCents !== undefined && { limit: credit.limitCents }),
    ...(credit.maxLimitCents !== undefined && { max_limit: credit.maxLimitCents }),
  };
}

/**
 * The whole application in the unified model. `status` is the already mapped value
 * (the caller turns an unknown one into INVALID_RESPONSE first).
 */
export function toApplicationRecord(wire: WireApplication, status: ApplicationStatus | null): ApplicationRecord {
  const credit = wire.details?.credit;
  const notice = wire.details?.adverse_action_notice;
  const decision = wire.decision;
  return {
    id: wire.id,
    status,
    productName: wire.details?.product_name ?? null,
    credit: credit == null ? null : {
      isSecured: credit.is_secured ?? null,
      isMla: credit.is_mla ?? null,
      currency: credit.currency ?? null,
      underwritingGrade: credit.underwriting_grade ?? null,
      limitCents: credit.limit ?? null,
      maxLimitCents: credit.max_limit ?? null,
      score: credit.report?.score ?? null,
      scorePulledAt: toDate(credit.report?.pulled_at),
      scoreSource: credit.report?.source ?? null,
    },
    adverseActionNotice: notice == null ? null : {
      deliveredAt: toDate(notice.delivered_at),
      reason: notice.reason ?? null,
      deliveryMethod: notice.delivery_method ?? null,
    },
    decision: decision == null ? null : {
      decidedAt: toDate(decision.decided_at),
      reason: decision.reason ?? null,
      exceptionApprovalReason: decision.exception_approval_reason ?? null,
    },
    documents: (wire.documents ?? []).map((d) => ({
      documentId: d.document_id ?? null,
      type: d.type,
      displayedAt: toDate(d.displayed_at),
      consentedAt: toDate(d.consented_at),
      version: d.version ?? null,
    })),
    metadata: wire.metadata ?? null,
    entities: toEntities(wire.entities),
    providerStatus: wire.status ?? null,
    createdAt: toDate(wire.created_at),
    updatedAt: toDate(wire.updated_at),
  };
}

/** `entities` is read-only at Lead Bank and loosely specified: strings are kept, anything else is left out. */
function toEntities(entities: Record<string, unknown> | null | undefined): ApplicationEntitiesRecord | null {
  if (entities == null) return null;
  const ids = (value: unknown) => (Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : []);
  return {
    accountHolderType: typeof entities.account_holder_type === 'string' ? entities.account_holder_type : null,
    accountHolders: ids(entities.account_holders),
    authorizedSigners: ids(entities.authorized_signers),
  };
}

function toDate(instant: string | null | undefined): Date | null {
  return instant == null ? null : new Date(instant);
}

/** Lead Bank's document `type` → its kind; UNKNOWN for a type its page does not list (the string is kept as `type`). */
export function documentKindOf(type: string): ApplicationDocumentType {
  return DOCUMENT_TYPES.fromWire(type) ?? ApplicationDocumentType.UNKNOWN;
}
