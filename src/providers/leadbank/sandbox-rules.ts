import { type z } from 'zod';
import { isJsonObject, mergePatch } from '../json.js';
import { CONSENTED_DOCUMENT_TYPES, DISPLAYED_DOCUMENT_TYPES, type WireInvalidParameter, WRITE_MEMBERS } from './wire.js';

/**
 * The Lead Bank sandbox's request rules: what a write may carry (the published request
 * schema, the document and notice rules) and how a merge patch applies.
 */

type Json = Record<string, unknown>;

const DISPLAYED: readonly string[] = DISPLAYED_DOCUMENT_TYPES;
const CONSENTED: readonly string[] = CONSENTED_DOCUMENT_TYPES;
const IMMUTABLE = ['id', 'created_at', 'updated_at', 'entities'];

/** The body's fields, checked against the published request schema and rules. `creating` allows what a POST may carry. */
export function validateFields(body: Json, creating: boolean): WireInvalidParameter[] {
  const issues: WireInvalidParameter[] = [];
  for (const [field, value] of Object.entries(body)) {
    if (IMMUTABLE.includes(field)) issues.push({ parameter: field, reason: 'is immutable' });
    else if (field === 'status') {
      const reason = checked(WRITE_MEMBERS.status.status)(value);
      if (reason !== undefined) issues.push({ parameter: field, reason });
    } else if (field === 'details') issues.push(...validateDetails(value));
    else if (field === 'decision') issues.push(...validateObject(value, 'decision', checks(WRITE_MEMBERS.decision)));
    else if (field === 'documents') issues.push(...validateDocuments(value));
    else if (field === 'metadata') {
      if (!isJsonObject(value)) issues.push({ parameter: field, reason: 'must be an object' });
    } else issues.push({ parameter: field, reason: creating ? 'is not a field of an application' : 'is not a field that can be updated' });
  }
  return issues;
}

type Check = (value: unknown) => string | undefined;

/** A member's rule (`wire.ts`) as a check: the reason it states, or undefined when the value keeps it. */
const checked = (schema: z.ZodType): Check => (value) => schema.safeParse(value).error?.issues[0]?.message;
const checks = (members: Readonly<Record<string, z.ZodType>>): Record<string, Check> =>
  Object.fromEntries(Object.entries(members).map(([name, schema]) => [name, checked(schema)]));

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
    ...checks(WRITE_MEMBERS['details.credit']),
    // ours: the credit report is Lead Bank's own (pulled by Lead), read-only.
    report: () => 'is read-only',
  });
  const notice = nested('details.adverse_action_notice', checks(WRITE_MEMBERS['details.adverse_action_notice']));
  const issues: WireInvalidParameter[] = [];
  const deep: Check = () => undefined;
  issues.push(...validateObject(value, 'details', { ...checks(WRITE_MEMBERS.details), credit: deep, adverse_action_notice: deep }));
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
    const issues = validateObject(document, path, checks(WRITE_MEMBERS['documents[]']));
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
