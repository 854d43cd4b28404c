import { type CallContext, type CommandAdapter, type CommandLike, type ProviderRegistry } from '../providers/index.js';
import { type ConfirmedResult } from './apply-result.js';

/** The providers the dispatcher sends to: which owns which command, and each one's adapter by key. */
export interface DispatchTargets {
  readonly registry: ProviderRegistry;
  readonly adapters: Readonly<Record<string, CommandAdapter>>;
}

/** Sends a command to the adapter of the provider that owns it; the result comes back tagged with its operation. */
export async function sendCommand(targets: DispatchTargets, command: CommandLike, context: CallContext): Promise<ConfirmedResult> {
  const owner = targets.registry.ownerOf(command.operation);
  const adapter = targets.adapters[owner.key];
  if (adapter === undefined) throw new Error(`${owner.id} has no adapter in this process`);
  return { operation: command.operation, result: await adapter.send(command, context) };
}
