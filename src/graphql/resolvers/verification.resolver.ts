import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { updateVerificationStatus } from '../../services/mutations/update-verification-status.js';
import { UpdateVerificationStatusInput } from '../inputs/update-verification-status.input.js';
import { UpdateVerificationStatusPayload } from '../types/dispatch-payloads.type.js';
import { DispatchObject } from '../types/dispatch.type.js';
import { requireUuid } from '../../domain/ids.js';
import { type GraphQLContext } from '../context.js';
import { LeadObject } from '../types/lead.type.js';
import { VerificationObject, VerificationOperationObject } from '../types/verification.type.js';
import { loadLead } from '../record-links.js';

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

  @Mutation(() => UpdateVerificationStatusPayload, { description: 'Dispatches to Tecalis.' })
  async updateVerificationStatus(
    @Arg('input', () => UpdateVerificationStatusInput) input: UpdateVerificationStatusInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UpdateVerificationStatusPayload> {
    const { record, dispatch } = await updateVerificationStatus(ctx.services.mutations, ctx.principal.tenantId, input);
    return Object.assign(new UpdateVerificationStatusPayload(), {
      verification: VerificationObject.from(record),
      dispatch: DispatchObject.from(dispatch),
    });
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
