import { ApplicationStatus } from '../../domain/vocabulary.js';
import { type InputProblem } from '../input-problem.js';
import { type UpdateApplicationCommand } from '../provider.js';
import { CONSENTED_DOCUMENT_TYPES, DISPLAYED_DOCUMENT_TYPES, WIRE_DELIVERY_METHODS, WRITE_MEMBERS } from './wire.js';

/**
 * Lead Bank's rules that can be checked before sending, so a caller learns of a bad
 * update at once rather than from a FAILED dispatch: document timestamps by type, a
 * declined application's adverse action notice, the delivery methods, the currency.
 */
export function checkApplicationUpdate(
  command: UpdateApplicationCommand,
  /** Whether the stored application already has a complete notice (a merge patch keeps it). */
  storedNoticeComplete: boolean,
): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const [i, document] of (command.documents ?? []).entries()) {
    const displayed = (DISPLAYED_DOCUMENT_TYPES as readonly string[]).includes(document.type);
    const consented = (CONSENTED_DOCUMENT_TYPES as readonly string[]).includes(document.type);
    if (!displayed && !consented) {
      problems.push({ field: `documents[${i}].type`, expected: 'a Lead Bank document type', got: document.type });
    } else if (displayed && document.displayedAt === undefined) {
      problems.push({ field: `documents[${i}].displayedAt`, expected: `a time for a "${document.type}" document (it is displayed)`, got: 'nothing' });
    } else if (consented && document.consentedAt === undefined) {
      problems.push({ field: `documents[${i}].consentedAt`, expected: `a time for a "${document.type}" document (it is consented to)`, got: 'nothing' });
    }
  }
  const currency = command.credit?.currency;
  if (typeof currency === 'string' && !WRITE_MEMBERS['details.credit'].currency.safeParse(currency).success) {
    problems.push({ field: 'credit.currency', expected: 'an ISO 4217 currency code (three upper-case letters, e.g. USD)', got: currency });
  }
  const notice = command.adverseActionNotice;
  if (notice === null && command.status === ApplicationStatus.DECLINED) {
    problems.push({ field: 'adverseActionNotice', expected: 'a complete adverse action notice when the status is DECLINED (it cannot be cleared then)', got: 'null' });
  }
  if (notice != null && notice.reason.trim() === '') {
    // Lead Bank wants every part of a notice filled in: an empty reason is no reason.
    problems.push({ field: 'adverseActionNotice.reason', expected: 'the reason given to the applicant', got: notice.reason });
  }
  if (notice != null && !WRITE_MEMBERS['details.adverse_action_notice'].delivery_method.safeParse(notice.deliveryMethod).success) {
    problems.push({ field: 'adverseActionNotice.deliveryMethod', expected: `one of ${WIRE_DELIVERY_METHODS.join(', ')}`, got: notice.deliveryMethod });
  }
  if (command.status === ApplicationStatus.DECLINED && notice === undefined && !storedNoticeComplete) {
    problems.push({ field: 'adverseActionNotice', expected: 'a complete adverse action notice when the status is DECLINED', got: 'none' });
  }
  return problems;
}
