import { type ConnectionAdapters, type ConnectionRef } from '../connections/connection-adapters.js';
import { ENVIRONMENT_TENANT } from '../connections/provider-accounts.js';
import { type CallContext, type CommandAdapter, type CommandLike, ProviderCallError, type ProviderRegistry } from '../providers/index.js';
import { type ConfirmedResult } from './apply-result.js';

/** The providers the dispatcher sends to: which owns which command, and each one's adapter by key. */
export interface DispatchTargets {
  readonly registry: ProviderRegistry;
  /** The environment's accounts: what a tenant without a connection of its own sends with. */
  readonly adapters: Readonly<Record<string, CommandAdapter>>;
  /** Tenants' own connections (absent: every tenant sends with the environment's). */
  readonly connections?: ConnectionAdapters | undefined;
}

/**
 * Sends a command to the provider that owns it, with the account `ref` names; the
 * result comes back tagged with its operation.
 */
export async function sendCommand(targets: DispatchTargets, command: CommandLike, context: CallContext, ref: ConnectionRef): Promise<ConfirmedResult> {
  const owner = targets.registry.ownerOf(command.operation);
  if (ref.version === null) {
    // Removed since the dispatch was written: another tenant's calls never go out with the environment's account.
    if (ref.tenantId !== ENVIRONMENT_TENANT) {
      throw new ProviderCallError('REJECTED', `this tenant has no connection to ${owner.title} (it was removed); add one and retry the dispatch`);
    }
    const environment = targets.adapters[owner.key];
    if (environment === undefined) throw new Error(`${owner.id} has no adapter in this process`);
    return { operation: command.operation, result: await environment.send(command, context) };
  }
  if (targets.connections === undefined) throw new Error(`${owner.id}: this process cannot send with tenants' connections`);
  return { operation: command.operation, result: await targets.connections.send(owner, ref.tenantId, ref.version, command, context) };
}
