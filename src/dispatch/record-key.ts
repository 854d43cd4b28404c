import { assertNever } from '../domain/assert-never.js';
import { type ProviderCommand } from '../providers/index.js';

/**
 * The provider record a command changes, as one key: attempts on the same record are
 * sent and applied one after another, so the local copy ends as the provider's does
 * (two concurrent patches of one application could otherwise be applied in the
 * reverse of the order Lead Bank applied them).
 */
export function recordKeyOf(command: ProviderCommand): string {
  switch (command.operation) {
    case 'reportLeadEvent':
      return `techea:${command.techeaLeadId.toLowerCase()}`;
    case 'updateApplication':
      return `leadbank:${command.applicationId}`;
    case 'updateVerificationStatus':
      return `tecalis:${command.authUuid.toLowerCase()}`;
    case 'upsertLoan':
      return `decisioncloud:${command.customerId}/${command.loanId}`;
    default:
      return assertNever(command, 'provider command');
  }
}
