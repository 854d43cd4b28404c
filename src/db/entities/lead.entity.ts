import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { LeadEvent, LeadStage } from '../../domain/vocabulary.js';

/** One prospective borrower's journey; provider records point at it through their `lead_id`. */
@Entity({ name: 'lead' })
export class LeadEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The tenant the row belongs to; part of every lookup. */
  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  /** Insertion order, the key of page cursors. bigint, kept as a decimal string. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  /** TECHEA's lead_id, assigned when the lead was submitted to TECHEA. */
  @Column({ name: 'techea_lead_id', type: 'uuid', nullable: true })
  techeaLeadId!: string | null;

  @Column({ name: 'advertiser_ref', type: 'text', nullable: true })
  advertiserRef!: string | null;

  /** The Decision Cloud (LMS) customer whose loans belong to this lead. */
  @Column({ name: 'decision_cloud_customer_id', type: 'text', nullable: true })
  decisionCloudCustomerId!: string | null;

  /** Derived by `deriveStage` whenever a linked record changes; stored so it can be filtered and indexed. */
  @Column({ type: 'text', default: LeadStage.NEW })
  stage!: LeadStage;

  @Column({ name: 'last_event', type: 'text', nullable: true })
  lastEvent!: LeadEvent | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** Moves whenever the lead or any record linked to it changes. */
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
