import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { type GraphQLContext } from '../context.js';
import { VerificationCallbackObject } from '../types/verification-callback.type.js';

/** Per-process Tecalis callback URLs (README, "Webhooks"). */
@Resolver()
export class VerificationCallbackResolver {
  @Mutation(() => VerificationCallbackObject, {
    description:
      "Issues the callback URLs to give Tecalis for one process. A process no tenant holds yet is adopted by the caller's tenant (as first contact does); one another tenant holds is refused. Each call issues a new URL; earlier ones stay valid.",
  })
  async issueVerificationCallback(
    @Arg('authUuid', () => ID) authUuid: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<VerificationCallbackObject> {
    const issued = await ctx.services.callbacks.issue(ctx.principal.tenantId, authUuid);
    // Never the URL itself: its token is the credential.
    ctx.logger.info({ authUuid: issued.authUuid, tenant: ctx.principal.tenantId }, 'Tecalis callback URL issued');
    return VerificationCallbackObject.from(issued);
  }
}
