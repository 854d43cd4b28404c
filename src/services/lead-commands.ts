import { type DataSource, type EntityManager } from 'typeorm';
import { uniqueViolation } from '../db/unique-violation.js';
import { LeadEntity } from '../db/entities/index.js';
import { rejectedInput, tooLong } from '../domain/errors.js';
import { requireApplicationId, requirePathSafeId, requireUuid } from '../domain/ids.js';
import { LeadStage, Provider } from '../domain/vocabulary.js';
import { requireProviderAccount } from '../connections/provider-accounts.js';
import { refreshLeadStage } from './lead-stage.js';
import { adoptRecord } from './record-adoption.js';

/** What `createLead` records: the lead and the ids of existing provider records to link. */
export interface CreateLeadCommand {
  readonly techeaLeadId?: string | null;
  readonly advertiserRef?: string | null;
  readonly applicationId?: string | null;
  readonly verificationAuthUuid?: string | null;
  readonly decisionCloudCustomerId?: string | null;
}

const MAX_REF_LENGTH = 255;

/** Changes to leads that stay inside the gateway (no provider is called). */
export class LeadCommands {
  constructor(private readonly db: DataSource) {}

  /**
   * Records a lead and links provider records to it, all in one transaction: either
   * every link holds or nothing is written. Every input is checked first. A Lead Bank
   * application or Tecalis process no tenant holds yet is adopted (first contact).
   */
  async createLead(tenantId: string, command: CreateLeadCommand): Promise<LeadEntity> {
    const input = validate(command);
    // The ids are ids of the tenant's own accounts at those providers (adoption checks its own).
    if (input.techeaLeadId !== undefined) await requireProviderAccount(this.db, tenantId, Provider.TECHEA, 'input.techeaLeadId');
    if (input.decisionCloudCustomerId !== undefined) await requireProviderAccount(this.db, tenantId, Provider.DECISION_CLOUD, 'input.decisionCloudCustomerId');
    const leadId = await this.db.transaction(async (manager) => {
      const lead = await insertLead(manager, tenantId, input);
      // A record the tenant does not hold yet is adopted, linked to the new lead (first contact).
      if (input.applicationId !== undefined) {
        const field = 'input.applicationId';
        const outcome = await adoptRecord(manager, tenantId, Provider.LEAD_BANK, input.applicationId, lead.id, { record: field, lead: field });
        if (outcome === 'held') await link(manager, tenantId, 'application', 'id', input.applicationId, lead.id, field, 'Lead Bank application');
      }
      if (input.verificationAuthUuid !== undefined) {
        const field = 'input.verificationAuthUuid';
        const outcome = await adoptRecord(manager, tenantId, Provider.TECALIS, input.verificationAuthUuid, lead.id, { record: field, lead: field });
        if (outcome === 'held') await link(manager, tenantId, 'verification', 'auth_uuid', input.verificationAuthUuid, lead.id, field, 'Tecalis process');
      }
      if (input.decisionCloudCustomerId !== undefined) {
        // The customer's loans that no lead owns yet become this lead's.
        await manager.query(
          `UPDATE loan SET lead_id = $1 WHERE tenant_id = $2 AND customer_id = $3 AND lead_id IS NULL`,
          [lead.id, tenantId, input.decisionCloudCustomerId],
        );
      }
      await refreshLeadStage(manager, lead.id);
      return lead.id;
    });
    return this.db.getRepository(LeadEntity).findOneByOrFail({ tenantId, id: leadId });
  }
}

interface ValidCreateLead {
  techeaLeadId?: string;
  advertiserRef?: string;
  applicationId?: string;
  verificationAuthUuid?: string;
  decisionCloudCustomerId?: string;
}

function validate(command: CreateLeadCommand): ValidCreateLead {
  const valid: ValidCreateLead = {};
  if (command.techeaLeadId != null) valid.techeaLeadId = requireUuid(command.techeaLeadId, 'input.techeaLeadId');
  if (command.advertiserRef != null) {
    if (command.advertiserRef.length > MAX_REF_LENGTH) {
      throw tooLong('input.advertiserRef', MAX_REF_LENGTH, command.advertiserRef.length);
    }
    valid.advertiserRef = command.advertiserRef;
  }
  if (command.applicationId != null) {
    valid.applicationId = requireApplicationId(command.applicationId, 'input.applicationId');
  }
  if (command.verificationAuthUuid != null) {
    valid.verificationAuthUuid = requireUuid(command.verificationAuthUuid, 'input.verificationAuthUuid');
  }
  if (command.decisionCloudCustomerId != null) {
    valid.decisionCloudCustomerId = requirePathSafeId(command.decisionCloudCustomerId, 'input.decisionCloudCustomerId');
  }
  return valid;
}

async function insertLead(manager: EntityManager, tenantId: string, input: ValidCreateLead): Promise<LeadEntity> {
  const lead = manager.create(LeadEntity, {
    tenantId,
    techeaLeadId: input.techeaLeadId ?? null,
    advertiserRef: input.advertiserRef ?? null,
    decisionCloudCustomerId: input.decisionCloudCustomerId ?? null,
    stage: LeadStage.NEW,
    lastEvent: null,
  });
  try {
    return await manager.save(lead);
  } catch (error) {
    const constraint = uniqueViolation(error);
    // Unique per tenant (migration 0019): another lead of this tenant has it.
    if (constraint === 'lead_techea_lead_id_key') {
      throw rejectedInput('input.techeaLeadId', `a lead with TECHEA lead id ${input.techeaLeadId} already exists`);
    }
    if (constraint === 'lead_decision_cloud_customer_id_key') {
      throw rejectedInput(
        'input.decisionCloudCustomerId',
        `Decision Cloud customer ${input.decisionCloudCustomerId} is already linked to another lead`,
      );
    }
    throw error;
  }
}

/** Points a provider record the tenant holds at the lead, unless it is already another lead's. */
async function link(
  manager: EntityManager,
  tenantId: string,
  table: 'application' | 'verification',
  key: 'id' | 'auth_uuid',
  id: string,
  leadId: string,
  field: string,
  what: string,
): Promise<void> {
  // The `lead_id IS NULL` guard makes the link atomic: of two concurrent callers, one wins.
  const [, linked] = await manager.query<[unknown, number]>(
    `UPDATE ${table} SET lead_id = $1 WHERE tenant_id = $3 AND ${key} = $2 AND lead_id IS NULL`,
    [leadId, id, tenantId],
  );
  if (linked !== 1) throw rejectedInput(field, `${what} ${id} is already linked to another lead`);
}
