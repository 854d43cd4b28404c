import { type LocalRecords } from './local-records.js';
import { type AnyProviderDescriptor, type CommandLike, type CommandSpec, type ProviderId, type RecordIdentity } from './descriptor.js';

/**
 * The providers a gateway runs with, looked up the ways the rest of it needs: by id
 * (breakers, metrics), by the operation a command names (the outbox), by the name its
 * HTTP client reports (metrics). Refuses a list where two providers share an id, a
 * key, a client name or an operation.
 */
export class ProviderRegistry {
  private readonly byOperation = new Map<string, AnyProviderDescriptor>();
  private readonly byClientName = new Map<string, AnyProviderDescriptor>();

  constructor(readonly descriptors: readonly AnyProviderDescriptor[]) {
    for (const [what, of] of [['id', (d: AnyProviderDescriptor) => [d.id]], ['key', (d: AnyProviderDescriptor) => [d.key]]] as const) {
      const seen = new Set<string>();
      for (const descriptor of descriptors) {
        for (const value of of(descriptor)) {
          if (seen.has(value)) throw new Error(`two providers have the ${what} "${value}"`);
          seen.add(value);
        }
      }
    }
    for (const descriptor of descriptors) {
      if (this.byClientName.has(descriptor.clientName)) throw new Error(`two providers have the client name "${descriptor.clientName}"`);
      this.byClientName.set(descriptor.clientName, descriptor);
      for (const operation of Object.keys(descriptor.commands)) {
        const owner = this.byOperation.get(operation);
        if (owner !== undefined) throw new Error(`the operation "${operation}" belongs to ${owner.id} and ${descriptor.id}`);
        this.byOperation.set(operation, descriptor);
      }
    }
  }

  /** Every provider's id, in the list's order. */
  get ids(): ProviderId[] {
    return this.descriptors.map((d) => d.id);
  }

  /** The provider with this id; throws for one not in the list. */
  descriptorOf(id: ProviderId): AnyProviderDescriptor {
    const descriptor = this.descriptors.find((d) => d.id === id);
    if (descriptor === undefined) throw new Error(`no provider has the id "${id}"`);
    return descriptor;
  }

  /** Whether a provider takes `operation`. */
  takes(operation: string): boolean {
    return this.byOperation.has(operation);
  }

  /** The provider that takes `operation`; throws for one no provider takes (a stored command from another version). */
  ownerOf(operation: string): AnyProviderDescriptor {
    const owner = this.byOperation.get(operation);
    if (owner === undefined) throw new Error(`no provider takes the operation "${operation}"`);
    return owner;
  }

  /** What the gateway does with `command` (see {@link CommandSpec}). */
  commandOf(command: CommandLike): CommandSpec<CommandLike, unknown> {
    return this.ownerOf(command.operation).commands[command.operation] as CommandSpec<CommandLike, unknown>;
  }

  /** The provider record a command changes. */
  recordOf(command: CommandLike): RecordIdentity {
    return this.commandOf(command).recordOf(command);
  }

  /** Applies a confirmed result of `operation` to the gateway's copy; answers what its command's `apply` does (the row written, if any). */
  apply(operation: string, records: LocalRecords, result: unknown, leadId: string | null): Promise<unknown> {
    return this.commandOf({ operation }).apply(records, result, leadId);
  }

  /** The id of the provider whose HTTP client reports calls as `clientName` (see `http-client.ts`). */
  idOfClient(clientName: string): ProviderId | undefined {
    return this.byClientName.get(clientName)?.id;
  }
}
