import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One document of an application. Lead Bank replaces the list whole, so rows are keyed by position. */
@Entity({ name: 'application_document' })
export class ApplicationDocumentEntity {
  /** The tenant the row belongs to; part of the key, so ids never cross tenants. */
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ name: 'application_id', type: 'text' })
  applicationId!: string;

  @PrimaryColumn({ type: 'integer' })
  position!: number;

  @Column({ name: 'document_id', type: 'text', nullable: true })
  documentId!: string | null;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'displayed_at', type: 'timestamptz', nullable: true })
  displayedAt!: Date | null;

  @Column({ name: 'consented_at', type: 'timestamptz', nullable: true })
  consentedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  version!: string | null;
}
