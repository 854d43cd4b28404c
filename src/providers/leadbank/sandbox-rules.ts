import { z } from 'zod';
import { isJsonObject, mergePatch } from '../json.js';
import { CONSENTED_DOCUMENT_TYPES, CURRENCY, DISPLAYED_DOCUMENT_TYPES, WIRE_DELIVERY_METHODS, WIRE_STATUSES, type WireInvalidParameter } from './wire.js';

/**
 * The Lead Bank sandbox's request rules: what a write may carry (the published request
 * schema, the document and notice rules) and how a merge patch applies.
 */

type Json = Record<string, unknown>;

const DISPLAYED: readonly string[] = DISPLAYED_DOCUMENT_TYPES;
const CONSENTED: readonly string[] = CONSENTED_DOCUMENT_TYPES;
const IMMUTABLE = ['id', 'created_at', 'updated_at', 'entities'];
const instant = z.iso.datetime({ offset: true });

/** The body's fields, checked against the published request schema and rules. `creating` allows what a POST may carry. */
export function validateFields(body: Json, creating: boolean): WireInvalidParameter[] {
  const issues: WireInvalidParameter[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (IMMUTABLE.includes(field)) issues.push({ parameter: field, reason: 'is immutable' });
    else if (field === 'status') {
      if (!(WIRE_STATUSES as readonly unknown[]).includes(value)) issues.push({ parameter: field, reason: `must be one of ${WIRE_STATUSES.join(', ')}` });
    } else if (field === 'details') issues.push(...validateDetails(value));
    else if (field === 'decision') {
      issues.push(...validateObject(value, 'decision', { decided_at: isInstant, reason: isString, exception_approval_reason: isString }));
    } else if (field === 'documents') issues.push(...validateDocuments(value));
    else if (field === 'metadata') {
      if (!isJsonObject(value)) issues.push({ parameter: field, reason: 'must be an object' });
    } else issues.push({ parameter: field, reason: creating ? 'is not a field of an application' : 'is not a field that can be updated' });
  }
  return issues;
}

type Check = (value: unknown) => string | undefined;
const isString: Check = (v) => (typeof v === 'string' ? undefined : 'must be a string');
const isBoolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be a boolean');
const isInstant: Check = (v) => (instant.safeParse(v).success ? undefined : 'must be an ISO 8601 date-time');
const isMinorUnits: Check = (v) => (Number.isSafeInteger(v) && (v as number) >= 0 ? undefined : 'must be a non-negative integer (minor units)');
const isCurrency: Check = (v) => (typeof v === 'string' && CURRENCY.test(v) ? undefined : 'must be an ISO 4217 currency code');
const isDeliveryMethod: Check = (v) =>
  (WIRE_DELIVERY_METHODS as readonly unknown[]).includes(v) ? undefined : `must be one of ${WIRE_DELIVERY_METHODS.join(', ')}`;

/** An object of known members; `null` members are allowed (Merge Patch: remove it). ours: unknown members are refused. */
function validateObject(value: unknown, path: string, members: Record<string, Check>): WireInvalidParameter[] {
  if (!isJsonObject(value)) return [{ parameter: path, reason: 'must be an object' }];
  const issues: WireInvalidParameter[] = [];
  for (const [name, member] of Object.entries(value)) {
    const check = members[name];
    const reason = check === undefined ? 'is not a known field' : member === null ? undefined : check(member);
    if (reason !== undefined) issues.push({ parameter: `${path}.${name}`, reason });
  }
  return issues;
}

function validateDetails(value: unknown): WireInvalidParameter[] {
  const nested = (path: string, members: Record<string, Check>) => (v: unknown) => validateObject(v, path, members);
  const credit = nested('details.credit', {
    is_secured: isBoolean, is_mla: isBoolean, currency: isCurrency, underwriting_grade: isString, limit: isMinorUnits, max_limit: isMinorUnits,
    // ours: the credit report is Lead Bank's own (pulled by Lead), read-only.
    report: () => 'is read-only',
  });
  const notice = nested('details.adverse_action_notice', { delivered_at: isInstant, reason: isString, delivery_method: isDeliveryMethod });
  const issues: WireInvalidParameter[] = [];
  const deep: Check = () => undefined;
  issues.push(...validateObject(value, 'details', { product_name: isString, credit: deep, adverse_action_notice: deep }));
  if (isJsonObject(value) && value.credit != null) issues.push(...credit(value.credit));
  if (isJsonObject(value) && value.adverse_action_notice != null) issues.push(...notice(value.adverse_action_notice));
  return issues;
}

/**
 * Each document needs the timestamp its type calls for. ours: the other one may be
 * present too (the reference page's own example shows an `aan` with both).
 */
function validateDocuments(value: unknown): WireInvalidParameter[] {
  if (!Array.isArray(value)) return [{ parameter: 'documents', reason: 'must be an array' }];
  return value.flatMap((document: unknown, i) => {
    const path = `documents[${i}]`;
    const issues = validateObject(document, path, { document_id: isString, type: isString, displayed_at: isInstant, consented_at: isInstant, version: isString });
    if (!isJsonObject(document) || issues.length > 0) return issues;
    const type = document.type;
    if (typeof type !== 'string') return [{ parameter: `${path}.type`, reason: 'is required' }];
    if (DISPLAYED.includes(type)) return document.displayed_at == null ? [{ parameter: `${path}.displayed_at`, reason: `is required for a document of type ${type}` }] : [];
    if (CONSENTED.includes(type)) return document.consented_at == null ? [{ parameter: `${path}.consented_at`, reason: `is required for a document of type ${type}` }] : [];
    return [{ parameter: `${path}.type`, reason: 'is not a known document type' }];
  });
}

/** Applies an already validated patch: Merge Patch for `details` and `decision`, whole replacement otherwise. */
export function applyPatch(application: Json, patch: Json): void {
  for (const [field, value] of Object.entries(patch)) {
    application[field] = field === 'details' || field === 'decision' ? mergePatch(application[field], value) : structuredClone(value);
  }
}

/** `declined` needs a complete adverse action notice (doc). */
export function declinedWithoutNotice(application: Json): WireInvalidParameter | undefined {
  if (application.status !== 'declined') return undefined;
  const details = application.details;
  const notice = isJsonObject(details) ? details.adverse_action_notice : undefined;
  const complete = isJsonObject(notice) && ['delivered_at', 'reason', 'delivery_method'].every((name) => typeof notice[name] === 'string' && notice[name] !== '');
  return complete ? undefined : {
    parameter: 'details.adverse_action_notice',
    reason: 'a complete adverse action notice (delivered_at, reason, delivery_method) is required when status is declined',
  };
}
