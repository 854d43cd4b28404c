import { type CommandLike, type ProviderRegistry } from '../providers/index.js';

/**
 * The provider record a command changes, as one key: attempts on the same record are
 * sent and applied one after another, so the local copy ends as the provider's does
 * (two concurrent patches of one application could otherwise be applied in the
 * reverse of the order Lead Bank applied them).
 */
export function recordKeyOf(command: CommandLike, registry: ProviderRegistry): string {
  const { entityId, customerId } = registry.recordOf(command);
  // Lower-cased: a UUID in either case names one record (and two ids that differ only
  // in case would at worst wait for each other, which costs nothing but order).
  return `${command.operation}:${customerId ?? ''}/${entityId}`.toLowerCase();
}
