import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Provider } from '../../domain/vocabulary.js';

/**
 * One row of the append-only status-change log: the source of history, the
 * `statusChanges` query and the live stream. Ids grow in commit order.
 */
@Entity({ name: 'status_change' })
export class StatusChangeEntity {
  /** bigint, served as a decimal string so it never loses precision. */
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  /** The tenant the row belongs to; part of every lookup. */
  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ name: 'lead_id', type: 'uuid' })
  leadId!: string;

  @Column({ type: 'text' })
  provider!: Provider;

  /** The provider-side id of the record that changed. */
  @Column({ name: 'entity_id', type: 'text' })
  entityId!: string;

  /** Previous status in the unified vocabulary; null for the first one. */
  @Column({ name: 'from_status', type: 'text', nullable: true })
  fromStatus!: string | null;

  @Column({ name: 'to_status', type: 'text' })
  toStatus!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt!: Date;
}
