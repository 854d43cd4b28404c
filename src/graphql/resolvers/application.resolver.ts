import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { updateApplication } from '../../services/mutations/update-application.js';
import { UpdateApplicationInput } from '../inputs/update-application.input.js';
import { UpdateApplicationPayload } from '../types/dispatch-payloads.type.js';
import { DispatchObject } from '../types/dispatch.type.js';
import { requireApplicationId } from '../../domain/ids.js';
import { type GraphQLContext } from '../context.js';
import { ApplicationDocumentObject, ApplicationObject } from '../types/application.type.js';
import { LeadObject } from '../types/lead.type.js';
import { loadLead } from '../record-links.js';

@Resolver(() => ApplicationObject)
export class ApplicationResolver {
  @Query(() => ApplicationObject, { nullable: true })
  async application(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ApplicationObject | null> {
    const application = await ctx.services.stores.records.findApplication(ctx.principal.tenantId, requireApplicationId(id, 'id'));
    return application === null ? null : ApplicationObject.from(application);
  }

  @Mutation(() => UpdateApplicationPayload, { description: 'Dispatches to Lead Bank.' })
  async updateApplication(
    @Arg('input', () => UpdateApplicationInput) input: UpdateApplicationInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UpdateApplicationPayload> {
    const { record, dispatch } = await updateApplication(ctx.services.mutations, ctx.principal.tenantId, input);
    return Object.assign(new UpdateApplicationPayload(), { application: ApplicationObject.from(record), dispatch: DispatchObject.from(dispatch) });
  }

  @FieldResolver(() => [ApplicationDocumentObject])
  async documents(@Root() application: ApplicationObject, @Ctx() ctx: GraphQLContext): Promise<ApplicationDocumentObject[]> {
    const documents = await ctx.loaders.documentsByApplicationId.load(application.id);
    return documents.map((document) => ApplicationDocumentObject.from(document));
  }

  @FieldResolver(() => LeadObject, { nullable: true })
  async lead(@Root() application: ApplicationObject, @Ctx() ctx: GraphQLContext): Promise<LeadObject | null> {
    return loadLead(application.leadId, ctx);
  }
}
