import { assertNever } from '../domain/assert-never.js';
import { Provider } from '../domain/vocabulary.js';
import { type CallContext, type ProviderAdapters, type ProviderCommand } from '../providers/index.js';
import { type ConfirmedResult } from './apply-result.js';

/** The provider that owns a command. */
export function providerOf(command: ProviderCommand): Provider {
  switch (command.operation) {
    case 'reportLeadEvent':
      return Provider.TECHEA;
    case 'updateApplication':
      return Provider.LEAD_BANK;
    case 'updateVerificationStatus':
      return Provider.TECALIS;
    case 'upsertLoan':
      return Provider.DECISION_CLOUD;
    default:
      return assertNever(command, 'provider command');
  }
}

/** Sends a command to the adapter that owns it; the result comes back tagged with its operation. */
export async function sendCommand(adapters: ProviderAdapters, command: ProviderCommand, context: CallContext): Promise<ConfirmedResult> {
  switch (command.operation) {
    case 'reportLeadEvent':
      return { operation: command.operation, result: await adapters.techea.send(command, context) };
    case 'updateApplication':
      return { operation: command.operation, result: await adapters.leadBank.send(command, context) };
    case 'updateVerificationStatus':
      return { operation: command.operation, result: await adapters.tecalis.send(command, context) };
    case 'upsertLoan':
      return { operation: command.operation, result: await adapters.decisionCloud.send(command, context) };
    default:
      return assertNever(command, 'provider command');
  }
}
