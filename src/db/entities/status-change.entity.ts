import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What a row of the log records (migration 0015). */
export type StatusChangeKind = 'RECORD' | 'DISPATCH';

/**
 * One row of the append-only status-change log: the source of history, the
 * `statusChanges` query and the live streams. Ids grow in commit order. A `RECORD`
 * row is a provider record's status moving; a `DISPATCH` row a dispatch's state
 * (`from`/`to` are then dispatch states).
 */
@Entity({ name: 'status_change' })
export class StatusChangeEntity {
  /** bigint, served as a decimal string so it never loses precision. */
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  /** The tenant the row belongs to; part of every lookup. */
  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text', default: 'RECORD' })
  kind!: StatusChangeKind;

  /** Never null on a RECORD row; null on a DISPATCH row of a dispatch no lead holds. */
  @Column({ name: 'lead_id', type: 'uuid', nullable: true })
  leadId!: string | null;

  /** The dispatch of a DISPATCH row; of a RECORD row, the dispatch whose confirmed result caused it. */
  @Column({ name: 'dispatch_id', type: 'uuid', nullable: true })
  dispatchId!: string | null;

  /** A Decision Cloud change's customer: a loan id is unique per customer only. */
  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId!: string | null;

  /** The provider's id: one of the contract's `Provider` values for a RECORD row; any provider's for a DISPATCH row. */
  @Column({ type: 'text' })
  provider!: string;

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
