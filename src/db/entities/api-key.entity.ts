import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { type Role } from '../../domain/roles.js';

/** An API key. Only its hash is stored; the key itself is shown once, when it is created. */
@Entity({ name: 'api_key' })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  role!: Role;

  @Column({ name: 'key_hash', type: 'text' })
  keyHash!: string;

  /** The key's first characters, to tell keys apart in a listing. */
  @Column({ name: 'key_prefix', type: 'text' })
  keyPrefix!: string;

  @Column({ type: 'text', nullable: true })
  label!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** After this the key is refused, as if revoked; null: it does not expire. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /** Who created it: `api-key:<id>`, `jwt:<subject>`, `cli`, or `unknown` for keys older than the column. */
  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;
}
