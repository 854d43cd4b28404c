import { type GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type LeadEntity } from '../../db/entities/index.js';
import { invalidInput } from '../../domain/errors.js';
import { requirePageSize, requireUuid } from '../../domain/ids.js';
import { type GraphQLContext } from '../context.js';
import { preloadLeadRecords, primeLeadRecords, wantedLeadRecords } from '../lead-records-preload.js';
import { CreateLeadInput } from '../inputs/create-lead.input.js';
import { LeadFilterInput } from '../inputs/lead-filter.input.js';
import { ReportLeadEventInput } from '../inputs/report-lead-event.input.js';
import { reportLeadEvent } from '../../services/mutations/report-lead-event.js';
import { ReportLeadEventPayload } from '../types/dispatch-payloads.type.js';
import { DispatchObject } from '../types/dispatch.type.js';
import { ApplicationObject } from '../types/application.type.js';
import { LeadConnectionObject } from '../types/lead-connection.type.js';
import { LeadObject } from '../types/lead.type.js';
import { LoanObject } from '../types/loan.type.js';
import { StatusChangeObject } from '../types/status-change.type.js';
import { VerificationObject } from '../types/verification.type.js';

// An explicit `first: null` means the default, as if the argument were absent.
const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

@Resolver(() => LeadObject)
export class LeadResolver {
  @Query(() => LeadObject, { nullable: true })
  async lead(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): Promise<LeadObject | null> {
    const { leads, leadRecords } = ctx.services.stores;
    const tenantId = ctx.principal.tenantId;
    const wanted = wantedLeadRecords(info, [], DEFAULT_PAGE);
    if (wanted === undefined) {
      const lead = await leads.findById(tenantId, requireUuid(id, 'id'));
      return lead === null ? null : LeadObject.from(known(ctx, lead));
    }
    // The lead and the records it selects in one statement.
    const found = await leads.findWithRecords(tenantId, requireUuid(id, 'id'), leadRecords.columns(wanted));
    if (found === null) return null;
    primeLeadRecords(ctx, wanted, new Map([[found.lead.id, found.records]]));
    return LeadObject.from(known(ctx, found.lead));
  }

  @Query(() => LeadObject, { nullable: true })
  async leadByTecheaId(
    @Arg('techeaLeadId', () => ID) techeaLeadId: string,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<LeadObject | null> {
    const lead = await ctx.services.stores.leads.findByTecheaId(ctx.principal.tenantId, requireUuid(techeaLeadId, 'techeaLeadId'));
    if (lead === null) return null;
    await preloadLeadRecords(ctx, info, [], [lead], DEFAULT_PAGE);
    return LeadObject.from(known(ctx, lead));
  }

  @Query(() => LeadConnectionObject, { description: 'Leads, newest first.' })
  async leads(
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_PAGE }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null | undefined,
    @Arg('filter', () => LeadFilterInput, { nullable: true }) filter: LeadFilterInput | null | undefined,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<LeadConnectionObject> {
    const size = requirePageSize(first ?? DEFAULT_PAGE, 'first', 0, MAX_PAGE);
    const afterSeq = after == null ? undefined : ctx.services.cursors.decode(ctx.principal.tenantId, after, 'after');
    const criteria = {
      ...(filter?.stages != null && { stages: nonEmpty(filter.stages, 'filter.stages') }),
      ...(filter?.updatedSince != null && { updatedSince: filter.updatedSince }),
    };
    // The page and every record its leads select, in one statement.
    const wanted = wantedLeadRecords(info, ['edges', 'node'], DEFAULT_PAGE);
    const { leads, leadRecords } = ctx.services.stores;
    const page = await leads.page(ctx.principal.tenantId, criteria, size, afterSeq, wanted && leadRecords.columns(wanted));
    if (wanted !== undefined && page.records !== undefined) primeLeadRecords(ctx, wanted, page.records);
    const edges = page.leads.map((lead) => ({ cursor: ctx.services.cursors.encode(ctx.principal.tenantId, lead.seq), node: LeadObject.from(known(ctx, lead)) }));
    return Object.assign(new LeadConnectionObject(), {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      countTotal: () => ctx.services.stores.leads.count(ctx.principal.tenantId, criteria),
    });
  }

  @Mutation(() => LeadObject, { description: 'Records a lead and links existing provider records to it. Calls no provider.' })
  async createLead(@Arg('input', () => CreateLeadInput) input: CreateLeadInput, @Ctx() ctx: GraphQLContext): Promise<LeadObject> {
    return LeadObject.from(await ctx.services.leadCommands.createLead(ctx.principal.tenantId, input));
  }

  @Mutation(() => ReportLeadEventPayload, { description: 'Dispatches to TECHEA.' })
  async reportLeadEvent(
    @Arg('input', () => ReportLeadEventInput) input: ReportLeadEventInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ReportLeadEventPayload> {
    const { record, dispatch, outcome, providerStatus } = await reportLeadEvent(ctx.services.mutations, ctx.principal.tenantId, input);
    return Object.assign(new ReportLeadEventPayload(), { lead: LeadObject.from(record), dispatch: DispatchObject.from(dispatch), outcome, providerStatus });
  }

  @FieldResolver(() => ApplicationObject, { nullable: true })
  async application(@Root() lead: LeadObject, @Ctx() ctx: GraphQLContext): Promise<ApplicationObject | null> {
    const application = await ctx.loaders.applicationByLeadId.load(lead.id);
    return application === null ? null : ApplicationObject.from(application);
  }

  @FieldResolver(() => VerificationObject, { nullable: true })
  async verification(@Root() lead: LeadObject, @Ctx() ctx: GraphQLContext): Promise<VerificationObject | null> {
    const verification = await ctx.loaders.verificationByLeadId.load(lead.id);
    return verification === null ? null : VerificationObject.from(verification);
  }

  @FieldResolver(() => [LoanObject], { description: 'Most recently applied first.' })
  async loans(@Root() lead: LeadObject, @Ctx() ctx: GraphQLContext): Promise<LoanObject[]> {
    return (await ctx.loaders.loansByLeadId.load(lead.id)).map((loan) => LoanObject.from(loan));
  }

  @FieldResolver(() => [StatusChangeObject], { description: 'Status changes of this lead and its records, newest first.' })
  async history(
    @Root() lead: LeadObject,
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_PAGE }) first: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<StatusChangeObject[]> {
    const size = requirePageSize(first ?? DEFAULT_PAGE, 'first', 0, MAX_PAGE);
    return (await ctx.loaders.historyByLeadId(size).load(lead.id)).map((change) => StatusChangeObject.from(change));
  }
}

/** The distinct values (a long list of repeats must not become a long SQL parameter list); at least one. */
function nonEmpty<T>(values: T[], field: string): T[] {
  if (values.length === 0) throw invalidInput(field, 'at least one value (omit the field to match all)', values);
  return [...new Set(values)];
}

/**
 * A lead this request has read: its records' `lead` fields (application, verification,
 * loans) then find it in the request's loader instead of reading it once more.
 */
function known(ctx: GraphQLContext, lead: LeadEntity): LeadEntity {
  ctx.loaders.leadById.prime(lead.id, lead);
  return lead;
}
