import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { retryDispatch } from '../../services/mutations/retry-dispatch.js';
import { requireUuid } from '../../domain/ids.js';
import { type GraphQLContext } from '../context.js';
import { DispatchObject } from '../types/dispatch.type.js';
import { loadRecord } from '../record-links.js';
import { LeadObject } from '../types/lead.type.js';
import { type ProviderRecord, ProviderRecordUnion } from '../types/provider-record.type.js';
import { loadLead } from '../record-links.js';

@Resolver(() => DispatchObject)
export class DispatchResolver {
  @Query(() => DispatchObject, { nullable: true })
  async dispatch(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DispatchObject | null> {
    const dispatch = await ctx.services.stores.records.findDispatch(ctx.principal.tenantId, requireUuid(id, 'id'));
    return dispatch === null ? null : DispatchObject.from(dispatch);
  }

  @Mutation(() => DispatchObject, { description: 'Sends a FAILED dispatch again, with its original idempotency key.' })
  async retryDispatch(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<DispatchObject> {
    return DispatchObject.from(await retryDispatch(ctx.services.mutations, ctx.principal.tenantId, id, ctx.services.maxAttempts));
  }

  @FieldResolver(() => LeadObject, { nullable: true, description: 'The lead the dispatch is for, when a lead holds its record.' })
  lead(@Root() dispatch: DispatchObject, @Ctx() ctx: GraphQLContext): Promise<LeadObject | null> {
    return loadLead(dispatch.leadId, ctx);
  }

  @FieldResolver(() => ProviderRecordUnion, { nullable: true, description: 'The record the dispatch is about, as it is now.' })
  async record(@Root() dispatch: DispatchObject, @Ctx() ctx: GraphQLContext): Promise<ProviderRecord | null> {
    const reference = dispatch.reference;
    return reference === null ? null : loadRecord(reference, ctx);
  }
}
