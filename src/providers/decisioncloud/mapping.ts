import { assertNever } from '../../domain/assert-never.js';
import { LoanApplicationType, LoanStatus, LoanType } from '../../domain/vocabulary.js';
import { type WireApplicationType, type WireLoanStatus, type WireLoanType } from './wire.js';

/** Unified application type → Decision Cloud's spelling. */
export function toWireApplicationType(type: LoanApplicationType): WireApplicationType {
  switch (type) {
    case LoanApplicationType.NEW:
      return 'New';
    case LoanApplicationType.RETURNING:
      return 'Returning';
    case LoanApplicationType.REFINANCED:
      return 'Refinanced';
    default:
      return assertNever(type, 'loan application type');
  }
}

/** Decision Cloud's spelling → unified application type; undefined for a value Decision Cloud does not define. */
export function fromWireApplicationType(type: string): LoanApplicationType | undefined {
  switch (type) {
    case 'New':
      return LoanApplicationType.NEW;
    case 'Returning':
      return LoanApplicationType.RETURNING;
    case 'Refinanced':
      return LoanApplicationType.REFINANCED;
    default:
      return undefined;
  }
}

/** Unified loan type → Decision Cloud's spelling. */
export function toWireLoanType(type: LoanType): WireLoanType {
  switch (type) {
    case LoanType.PAYDAY:
      return 'Payday';
    case LoanType.INSTALLMENT:
      return 'Installment';
    case LoanType.LINE_OF_CREDIT:
      return 'Line Of Credit';
    default:
      return assertNever(type, 'loan type');
  }
}

/** Decision Cloud's spelling → unified loan type; undefined for a value Decision Cloud does not define. */
export function fromWireLoanType(type: string): LoanType | undefined {
  switch (type) {
    case 'Payday':
      return LoanType.PAYDAY;
    case 'Installment':
      return LoanType.INSTALLMENT;
    case 'Line Of Credit':
      return LoanType.LINE_OF_CREDIT;
    default:
      return undefined;
  }
}

/** Unified loan status → Decision Cloud's spelling (with its spaces). */
export function toWireLoanStatus(status: LoanStatus): WireLoanStatus {
  switch (status) {
    case LoanStatus.PENDING:
      return 'Pending';
    case LoanStatus.EXPIRED:
      return 'Expired';
    case LoanStatus.WITHDRAWN:
      return 'Withdrawn';
    case LoanStatus.DENIED:
      return 'Denied';
    case LoanStatus.APPROVED:
      return 'Approved';
    case LoanStatus.ORIGINATED:
      return 'Originated';
    case LoanStatus.REVERSED:
      return 'Reversed';
    case LoanStatus.PAST_DUE:
      return 'Past Due';
    case LoanStatus.WRITTEN_OFF:
      return 'Written Off';
    case LoanStatus.CURRENT:
      return 'Current';
    case LoanStatus.PAID_IN_FULL:
      return 'Paid In Full';
    default:
      return assertNever(status, 'loan status');
  }
}

/** Decision Cloud's spelling → unified loan status; undefined for a value Decision Cloud does not define. */
export function fromWireLoanStatus(status: string): LoanStatus | undefined {
  switch (status) {
    case 'Pending':
      return LoanStatus.PENDING;
    case 'Expired':
      return LoanStatus.EXPIRED;
    case 'Withdrawn':
      return LoanStatus.WITHDRAWN;
    case 'Denied':
      return LoanStatus.DENIED;
    case 'Approved':
      return LoanStatus.APPROVED;
    case 'Originated':
      return LoanStatus.ORIGINATED;
    case 'Reversed':
      return LoanStatus.REVERSED;
    case 'Past Due':
      return LoanStatus.PAST_DUE;
    case 'Written Off':
      return LoanStatus.WRITTEN_OFF;
    case 'Current':
      return LoanStatus.CURRENT;
    case 'Paid In Full':
      return LoanStatus.PAID_IN_FULL;
    default:
      return undefined;
  }
}

/**
 * An ISO instant → Decision Cloud's `YYYY-MM-DDTHH:mm:ssZ` (UTC, milliseconds dropped:
 * the format has none). A value that is no instant at all is sent as it is, so Decision
 * Cloud refuses it with its own 422 rather than the client inventing an error.
 */
export function toWireDateTime(instant: string): string {
  const time = Date.parse(instant);
  return Number.isNaN(time) ? instant : `${new Date(time).toISOString().slice(0, 19)}Z`;
}
