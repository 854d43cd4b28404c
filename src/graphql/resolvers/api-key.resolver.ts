import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { tooLong } from '../../domain/errors.js';
import { requireUuid } from '../../domain/ids.js';
import { issueKey } from '../../auth/key-issuance.js';
import { type GraphQLContext } from '../context.js';
import { CreateApiKeyInput } from '../inputs/create-api-key.input.js';
import { ApiKeyObject, CreateApiKeyPayload, roleOf } from '../types/api-key.type.js';

const MAX_LABEL = 200;

/** Key management for admins, always within their own tenant. */
@Resolver(() => ApiKeyObject)
export class ApiKeyResolver {
  @Query(() => [ApiKeyObject], { description: "The caller's tenant's API keys, revoked ones included." })
  async apiKeys(@Ctx() ctx: GraphQLContext): Promise<ApiKeyObject[]> {
    return (await ctx.services.apiKeys.list(ctx.principal.tenantId)).map((key) => ApiKeyObject.from(key));
  }

  @Mutation(() => CreateApiKeyPayload, { description: "Creates a key in the caller's tenant." })
  async createApiKey(
    @Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreateApiKeyPayload> {
    if (input.label != null && input.label.length > MAX_LABEL) throw tooLong('input.label', MAX_LABEL, input.label.length);
    const role = roleOf(input.role);
    const { expiresAt, createdBy } = issueKey(ctx.principal, { role, expiresAt: input.expiresAt ?? null }, ctx.services.keyIssuance);
    const created = await ctx.services.apiKeys.create(ctx.principal.tenantId, role, { label: input.label ?? null, expiresAt, createdBy });
    ctx.logger.info(
      { keyId: created.entity.id, role, tenant: ctx.principal.tenantId, expiresAt, createdBy },
      'API key created',
    );
    return Object.assign(new CreateApiKeyPayload(), { apiKey: ApiKeyObject.from(created.entity), key: created.key });
  }

  @Mutation(() => ApiKeyObject, {
    nullable: true,
    description: "Revokes a key of the caller's tenant at once. Null when there is no such key.",
  })
  async revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ApiKeyObject | null> {
    const revoked = await ctx.services.apiKeys.revoke(requireUuid(id, 'id'), ctx.principal.tenantId);
    if (revoked !== null) ctx.logger.info({ keyId: revoked.id, tenant: ctx.principal.tenantId }, 'API key revoked');
    return revoked === null ? null : ApiKeyObject.from(revoked);
  }
}
