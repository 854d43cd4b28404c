import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { retryDispatch } from '../../services/mutations/retry-dispatch.js';
import { requireUuid } from '../../domain/ids.js';
import { type GraphQLContext } from '../context.js';
import { DispatchObject } from '../types/dispatch.type.js';

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
}
