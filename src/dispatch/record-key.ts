import { assertNever } from '../domain/assert-never.js';
import { type ProviderCommand } from '../providers/index.js';

/**
 * The provider record a command changes, as one key: attempts on the same record are
 * sent and applied one after another, so the local copy ends as the provider's does
 * (two concurrent patches of one application could otherwise be applied in the
 * reverse of the order Lead Bank applied them).
 */
export function recordKeyOf(command: ProviderCommand): string {
  const { entityId, customerId } = recordIdentityOf(command);
  // Lower-cased: a UUID in either case names one record (and two ids that differ only
  // in case would at worst wait for each other, which costs nothing but order).
  return `${command.operation}:${customerId ?? ''}/${entityId}`.toLowerCase();
}

/** The provider record a command changes, as the status-change log names it. */
export interface RecordIdentity {
  /** The provider-side id (TECHEA lead id, application id, auth uuid, loan id). */
  readonly entityId: string;
  /** A loan's customer: a loan id is unique per customer only. */
  readonly customerId: string | null;
}

export function recordIdentityOf(command: ProviderCommand): RecordIdentity {
  switch (command.operation) {
    case 'reportLeadEvent':
      return { entityId: command.techeaLeadId, customerId: null };
    case 'updateApplication':
      return { entityId: command.applicationId, customerId: null };
    case 'updateVerificationStatus':
      return { entityId: command.authUuid, customerId: null };
    case 'upsertLoan':
      return { entityId: command.loanId, customerId: command.customerId };
    default:
      return assertNever(command, 'provider command');
  }
}
