import { Arg, Ctx, ID, Int, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { assertAllowed } from '../../auth/operation-roles.js';
import { type StatusChangeEntity } from '../../db/entities/index.js';
import { invalidInput } from '../../domain/errors.js';
import { requirePageSize, requireStatusChangeId, requireUuid } from '../../domain/ids.js';
import { Provider } from '../../domain/vocabulary.js';
import { statusChangeStream } from '../../events/status-change-stream.js';
import { type GraphQLContext } from '../context.js';
import { StatusChangeObject } from '../types/status-change.type.js';

/** Close code for a subscriber that fell too far behind (documented in the README). */
export const SLOW_CONSUMER_CLOSE_CODE = 4410;

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
        ...(after != null && { afterId: requireStatusChangeId(after, 'after') }),
        ...(leadId != null && { leadId: requireUuid(leadId, 'leadId') }),
      },
      requirePageSize(first ?? DEFAULT_CHANGES, 'first', 1, MAX_CHANGES),
    );
    return changes.map((change) => StatusChangeObject.from(change));
  }

  @Subscription(() => StatusChangeObject, {
    description:
      'Status changes as they commit, optionally for one lead and some providers.\nWith `after`, every change after that id is replayed first, then live ones\nfollow: no gap, no duplicate.',
    // The stream comes from the status-change log (events/), not from a pub/sub topic.
    subscribe: ({ args, context }: SubscribeResolverData<unknown, StatusChangedArgs, GraphQLContext>) => {
      // `subscribe` runs outside the middlewares: authorize and check the arguments here.
      assertAllowed(context.principal, 'Subscription.statusChanged');
      if (args.providers != null && args.providers.length === 0) {
        throw invalidInput('providers', 'at least one provider (omit the argument for all)', args.providers);
      }
      const filter = {
        tenantId: context.principal.tenantId,
        ...(args.leadId != null && { leadId: requireUuid(args.leadId, 'leadId') }),
        ...(args.providers != null && { providers: [...new Set(args.providers)] }),
      };
      const after = args.after == null ? undefined : requireStatusChangeId(args.after, 'after');
      return statusChangeStream(context.services.changes, context.services.stores.statusChanges, filter, after, () =>
        context.connection?.close(SLOW_CONSUMER_CLOSE_CODE, 'Too far behind: resubscribe with `after` to resume'),
      );
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
