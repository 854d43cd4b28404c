import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { requireExternalId } from '../../domain/ids.js';
import { type GraphQLContext } from '../context.js';
import { LeadObject } from '../types/lead.type.js';
import { LoanObject } from '../types/loan.type.js';
import { loadLead } from './application.resolver.js';

@Resolver(() => LoanObject)
export class LoanResolver {
  @Query(() => LoanObject, { nullable: true })
  async loan(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('loanId', () => ID) loanId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<LoanObject | null> {
    const loan = await ctx.services.stores.records.findLoan(
      ctx.principal.tenantId,
      requireExternalId(customerId, 'customerId'),
      requireExternalId(loanId, 'loanId'),
    );
    return loan === null ? null : LoanObject.from(loan);
  }

  @FieldResolver(() => LeadObject, { nullable: true })
  lead(@Root() loan: LoanObject, @Ctx() ctx: GraphQLContext): Promise<LeadObject | null> {
    return loadLead(loan.leadId, ctx);
  }
}
