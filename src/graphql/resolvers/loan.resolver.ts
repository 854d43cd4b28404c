import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { upsertLoan } from '../../services/mutations/upsert-loan.js';
import { UpsertLoanInput } from '../inputs/upsert-loan.input.js';
import { UpsertLoanPayload } from '../types/dispatch-payloads.type.js';
import { DispatchObject } from '../types/dispatch.type.js';
import { requireExternalId, requirePathSafeId } from '../../domain/ids.js';
import { type GraphQLContext } from '../context.js';
import { LeadObject } from '../types/lead.type.js';
import { LoanObject } from '../types/loan.type.js';
import { loadLead } from '../record-links.js';

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
      requirePathSafeId(customerId, 'customerId'),
      requireExternalId(loanId, 'loanId'),
    );
    return loan === null ? null : LoanObject.from(loan);
  }

  @Mutation(() => UpsertLoanPayload, { description: 'Dispatches to Decision Cloud.' })
  async upsertLoan(@Arg('input', () => UpsertLoanInput) input: UpsertLoanInput, @Ctx() ctx: GraphQLContext): Promise<UpsertLoanPayload> {
    const { record, dispatch } = await upsertLoan(ctx.services.mutations, ctx.principal.tenantId, input);
    return Object.assign(new UpsertLoanPayload(), { loan: LoanObject.from(record), dispatch: DispatchObject.from(dispatch) });
  }

  @FieldResolver(() => LeadObject, { nullable: true })
  lead(@Root() loan: LoanObject, @Ctx() ctx: GraphQLContext): Promise<LeadObject | null> {
    return loadLead(loan.leadId, ctx);
  }
}
