import { assertNever } from '../domain/assert-never.js';
import { Provider } from '../domain/vocabulary.js';
import { type GraphQLContext } from './context.js';
import { loanKey } from './loaders.js';
import { ApplicationObject } from './types/application.type.js';
import { LeadObject } from './types/lead.type.js';
import { LoanObject } from './types/loan.type.js';
import { type ProviderRecord } from './types/provider-record.type.js';
import { VerificationObject } from './types/verification.type.js';

/** How the status-change log (and a dispatch) names a provider record. */
export interface RecordReference {
  readonly provider: Provider;
  readonly leadId: string | null;
  /** The provider-side id: TECHEA lead id, application id, auth uuid, loan id. */
  readonly entityId: string;
  /** A loan's customer. */
  readonly customerId: string | null;
}

/**
 * The caller's record a reference names, through the operation's loaders (one
 * statement per kind of record for a whole page), or null when the tenant holds no
 * such record (any more).
 */
export async function loadRecord(reference: RecordReference, ctx: GraphQLContext): Promise<ProviderRecord | null> {
  switch (reference.provider) {
    case Provider.TECHEA: {
      // A TECHEA change is about the lead itself.
      if (reference.leadId === null) return null;
      const lead = await ctx.loaders.leadById.load(reference.leadId);
      return lead === null ? null : LeadObject.from(lead);
    }
    case Provider.LEAD_BANK: {
      const application = await ctx.loaders.applicationById.load(reference.entityId);
      return application === null ? null : ApplicationObject.from(application);
    }
    case Provider.TECALIS: {
      const verification = await ctx.loaders.verificationByAuthUuid.load(reference.entityId);
      return verification === null ? null : VerificationObject.from(verification);
    }
    case Provider.DECISION_CLOUD: {
      if (reference.customerId === null) return null;
      const loan = await ctx.loaders.loanByKey.load(loanKey(reference.customerId, reference.entityId));
      return loan === null ? null : LoanObject.from(loan);
    }
    default:
      return assertNever(reference.provider, 'provider');
  }
}

/** The lead a record is linked to, through the request's loader. */
export async function loadLead(leadId: string | null, ctx: GraphQLContext): Promise<LeadObject | null> {
  if (leadId === null) return null;
  const lead = await ctx.loaders.leadById.load(leadId);
  return lead === null ? null : LeadObject.from(lead);
}
