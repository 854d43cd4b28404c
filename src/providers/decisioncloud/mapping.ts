import { type LoanApplicationType, type LoanStatus, type LoanType } from '../../domain/vocabulary.js';
import { APPLICATION_TYPES, LOAN_STATUSES, LOAN_TYPES, type WireApplicationType, type WireLoanStatus, type WireLoanType } from './wire.js';

/** Unified application type → Decision Cloud's spelling. */
export function toWireApplicationType(type: LoanApplicationType): WireApplicationType {
  return APPLICATION_TYPES.toWire(type);
}

/** Decision Cloud's spelling → unified application type; undefined for a value Decision Cloud does not define. */
export function fromWireApplicationType(type: string): LoanApplicationType | undefined {
  return APPLICATION_TYPES.fromWire(type);
}

/** Unified loan type → Decision Cloud's spelling. */
export function toWireLoanType(type: LoanType): WireLoanType {
  return LOAN_TYPES.toWire(type);
}

/** Decision Cloud's spelling → unified loan type; undefined for a value Decision Cloud does not define. */
export function fromWireLoanType(type: string): LoanType | undefined {
  return LOAN_TYPES.fromWire(type);
}

/** Unified loan status → Decision Cloud's spelling (with its spaces). */
export function toWireLoanStatus(status: LoanStatus): WireLoanStatus {
  return LOAN_STATUSES.toWire(status);
}

/** Decision Cloud's spelling → unified loan status; undefined for a value Decision Cloud does not define. */
export function fromWireLoanStatus(status: string): LoanStatus | undefined {
  return LOAN_STATUSES.fromWire(status);
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
