import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { requirePageSize, requireStatusChangeId, requireUuid } from '../../domain/ids.js';
import { type GraphQLContext } from '../context.js';
import { StatusChangeObject } from '../types/status-change.type.js';

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
        ...(after != null && { afterId: requireStatusChangeId(after, 'after') }),
        ...(leadId != null && { leadId: requireUuid(leadId, 'leadId') }),
      },
      requirePageSize(first ?? DEFAULT_CHANGES, 'first', 1, MAX_CHANGES),
    );
    return changes.map((change) => StatusChangeObject.from(change));
  }
}
