import { Arg, Ctx, FieldResolver, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { type StatusChangeEntity } from '../../db/entities/index.js';
import { requireUuid } from '../../domain/ids.js';
import { Provider } from '../../domain/vocabulary.js';
import { type GraphQLContext } from '../context.js';
import { loadRecord } from '../record-links.js';
import { DispatchChangeObject, DispatchObject } from '../types/dispatch.type.js';
import { LeadObject } from '../types/lead.type.js';
import { type ProviderRecord, ProviderRecordUnion } from '../types/provider-record.type.js';
import { logStream } from './status-change.resolver.js';

const CONTRACT_PROVIDERS: readonly Provider[] = Object.values(Provider);

interface DispatchChangedArgs {
  leadId?: string | null;
  after?: string | null;
}

@Resolver(() => DispatchChangeObject)
export class DispatchChangeResolver {
  @Subscription(() => DispatchChangeObject, {
    description:
      'Dispatches as they end (SUCCEEDED or FAILED, with lastError) or are sent again (back to PENDING), optionally\nfor one lead. With `after` (an id of statusChanged, dispatchChanged or statusHead), every one after it is replayed\nfirst, then live ones follow: no gap, no duplicate.',
    // The same ordered log as statusChanged, its DISPATCH rows.
    subscribe: ({ args, context }: SubscribeResolverData<unknown, DispatchChangedArgs, GraphQLContext>) => {
      const filter = {
        tenantId: context.principal.tenantId,
        kind: 'DISPATCH' as const,
        // The contract's providers only: a provider the `Provider` enum cannot name is not shown.
        providers: CONTRACT_PROVIDERS,
        ...(args.leadId != null && { leadId: requireUuid(args.leadId, 'leadId') }),
      };
      return logStream(context, filter, args.after);
    },
  })
  dispatchChanged(
    @Root() change: StatusChangeEntity,
    @Arg('leadId', () => ID, { nullable: true }) _leadId?: string | null,
    @Arg('after', () => ID, { nullable: true }) _after?: string | null,
  ): DispatchChangeObject {
    return DispatchChangeObject.from(change);
  }

  @FieldResolver(() => DispatchObject, { description: 'The dispatch as it is now, with its attempts and lastError.' })
  async dispatch(@Root() change: DispatchChangeObject, @Ctx() ctx: GraphQLContext): Promise<DispatchObject> {
    const dispatch = await ctx.loaders.dispatchById.load(change.dispatchId);
    // Dispatches are never deleted while their changes are kept (ON DELETE SET NULL would empty the id).
    if (dispatch === null) throw new Error(`dispatch change ${change.id}: dispatch ${change.dispatchId} is gone`);
    return DispatchObject.from(dispatch);
  }

  @FieldResolver(() => LeadObject, { nullable: true })
  async lead(@Root() change: DispatchChangeObject, @Ctx() ctx: GraphQLContext): Promise<LeadObject | null> {
    if (change.leadId === null) return null;
    const lead = await ctx.loaders.leadById.load(change.leadId);
    return lead === null ? null : LeadObject.from(lead);
  }

  @FieldResolver(() => ProviderRecordUnion, { nullable: true, description: 'The record the dispatch is about, as it is now.' })
  record(@Root() change: DispatchChangeObject, @Ctx() ctx: GraphQLContext): Promise<ProviderRecord | null> {
    return loadRecord(change, ctx);
  }
}
