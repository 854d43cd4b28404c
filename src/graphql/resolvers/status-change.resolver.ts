import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { type StatusChangeEntity } from '../../db/entities/index.js';
import { invalidInput } from '../../domain/errors.js';
import { requirePageSize, requireStatusChangeId, requireUuid } from '../../domain/ids.js';
import { Provider } from '../../domain/vocabulary.js';
import { type ChangeFilter } from '../../events/change-hub.js';
import { statusChangeStream } from '../../events/status-change-stream.js';
import { type GraphQLContext } from '../context.js';
import { loadRecord } from '../record-links.js';
import { statusHeadOf } from '../status-head.js';
import { DispatchObject } from '../types/dispatch.type.js';
import { LeadObject } from '../types/lead.type.js';
import { type ProviderRecord, ProviderRecordUnion } from '../types/provider-record.type.js';
import { StatusChangeObject } from '../types/status-change.type.js';

/** Close code for a subscriber that fell too far behind (documented in the README). */
export const SLOW_CONSUMER_CLOSE_CODE = 4410;

/**
 * A subscriber's stream of the tenant's log (`statusChanged`, `dispatchChanged`): replayed
 * after `after` when given, then live; a subscriber that falls too far behind has its
 * connection closed with {@link SLOW_CONSUMER_CLOSE_CODE} and resumes with `after`.
 */
export function logStream(context: GraphQLContext, filter: ChangeFilter, after: string | null | undefined): AsyncIterableIterator<StatusChangeEntity> {
  return statusChangeStream(
    context.services.changes,
    context.services.stores.statusChanges,
    filter,
    after == null ? undefined : requireStatusChangeId(after, 'after'),
    () => context.connection?.close(SLOW_CONSUMER_CLOSE_CODE, 'Too far behind: resubscribe with `after` to resume'),
  );
}

interface StatusChangedArgs {
  leadId?: string | null;
  providers?: Provider[] | null;
  after?: string | null;
}

const DEFAULT_CHANGES = 100;
const MAX_CHANGES = 1000;

@Resolver(() => StatusChangeObject)
export class StatusChangeResolver {
  @Query(() => [StatusChangeObject], { description: 'Status changes in id order, after the given id.' })
  async statusChanges(
    @Arg('after', () => ID, { nullable: true }) after: string | null | undefined,
    @Arg('leadId', () => ID, { nullable: true }) leadId: string | null | undefined,
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_CHANGES }) first: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StatusChangeObject[]> {
    const changes = await ctx.services.stores.statusChanges.after(
      ctx.principal.tenantId,
      {
        kind: 'RECORD',
        ...(after != null && { afterId: requireStatusChangeId(after, 'after') }),
        ...(leadId != null && { leadId: requireUuid(leadId, 'leadId') }),
      },
      requirePageSize(first ?? DEFAULT_CHANGES, 'first', 1, MAX_CHANGES),
    );
    return changes.map((change) => StatusChangeObject.from(change));
  }

  @Query(() => ID, {
    description:
      "The id of the newest entry of your tenant's log (status changes and dispatch changes), \"0\" when it is empty.\nRead before any other field of its operation: load the state you show and statusHead in one query, then\nsubscribe with `after: statusHead`, and no change is missed (one the state already shows may come again).",
  })
  statusHead(@Ctx() ctx: GraphQLContext): Promise<string> {
    return statusHeadOf(ctx);
  }

  @FieldResolver(() => LeadObject, { description: 'The lead as it is now: its stage after this change, or a later one.' })
  async lead(@Root() change: StatusChangeObject, @Ctx() ctx: GraphQLContext): Promise<LeadObject> {
    const lead = await ctx.loaders.leadById.load(change.leadId);
    // The log's foreign key deletes a lead's changes with it.
    if (lead === null) throw new Error(`status change ${change.id}: lead ${change.leadId} is gone`);
    return LeadObject.from(lead);
  }

  @FieldResolver(() => ProviderRecordUnion, { nullable: true, description: 'The record that changed, as it is now; null when it is no longer held.' })
  record(@Root() change: StatusChangeObject, @Ctx() ctx: GraphQLContext): Promise<ProviderRecord | null> {
    return loadRecord(change, ctx);
  }

  @FieldResolver(() => DispatchObject, {
    nullable: true,
    description: "The dispatch whose confirmed result made this change; null for a change a provider's webhook or callback brought.",
  })
  async dispatch(@Root() change: StatusChangeObject, @Ctx() ctx: GraphQLContext): Promise<DispatchObject | null> {
    if (change.dispatchId === null) return null;
    const dispatch = await ctx.loaders.dispatchById.load(change.dispatchId);
    return dispatch === null ? null : DispatchObject.from(dispatch);
  }

  @Subscription(() => StatusChangeObject, {
    description:
      'Status changes as they commit, optionally for one lead and some providers.\nWith `after`, every change after that id is replayed first, then live ones\nfollow: no gap, no duplicate.',
    // The stream comes from the status-change log (events/), not from a pub/sub topic.
    subscribe: ({ args, context }: SubscribeResolverData<unknown, StatusChangedArgs, GraphQLContext>) => {
      // The role and the arguments' text are checked before this (field-guards.ts); these are its own rules.
      if (args.providers != null && args.providers.length === 0) {
        throw invalidInput('providers', 'at least one provider (omit the argument for all)', args.providers);
      }
      const filter = {
        tenantId: context.principal.tenantId,
        kind: 'RECORD' as const,
        ...(args.leadId != null && { leadId: requireUuid(args.leadId, 'leadId') }),
        ...(args.providers != null && { providers: [...new Set(args.providers)] }),
      };
      return logStream(context, filter, args.after);
    },
  })
  statusChanged(
    @Root() change: StatusChangeEntity,
    @Arg('leadId', () => ID, { nullable: true }) _leadId?: string | null,
    @Arg('providers', () => [Provider], { nullable: true }) _providers?: Provider[] | null,
    @Arg('after', () => ID, { nullable: true }) _after?: string | null,
  ): StatusChangeObject {
    return StatusChangeObject.from(change);
  }
}
