import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { requireUuid } from '../../domain/ids.js';
import { type GraphQLContext } from '../context.js';
import { LeadObject } from '../types/lead.type.js';
import { VerificationObject, VerificationOperationObject } from '../types/verification.type.js';
import { loadLead } from './application.resolver.js';

@Resolver(() => VerificationObject)
export class VerificationResolver {
  @Query(() => VerificationObject, { nullable: true })
  async verification(
    @Arg('authUuid', () => ID) authUuid: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<VerificationObject | null> {
    const verification = await ctx.services.stores.records.findVerification(ctx.principal.tenantId, requireUuid(authUuid, 'authUuid'));
    return verification === null ? null : VerificationObject.from(verification);
  }

  @FieldResolver(() => [VerificationOperationObject])
  async operations(
    @Root() verification: VerificationObject,
    @Ctx() ctx: GraphQLContext,
  ): Promise<VerificationOperationObject[]> {
    const operations = await ctx.loaders.operationsByAuthUuid.load(verification.authUuid);
    return operations.map((operation) => VerificationOperationObject.from(operation));
  }

  @FieldResolver(() => LeadObject, { nullable: true })
  lead(@Root() verification: VerificationObject, @Ctx() ctx: GraphQLContext): Promise<LeadObject | null> {
    return loadLead(verification.leadId, ctx);
  }
}
