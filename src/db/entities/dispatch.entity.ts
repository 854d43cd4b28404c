import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { DispatchState } from '../../domain/vocabulary.js';

/** A provider's refusal or failure, in neutral terms and with secrets already removed. */
export interface StoredProviderError {
  code: string;
  httpStatus: number | null;
  message: string;
}

/**
 * One row of the dispatch outbox: a call to one provider, written in the same
 * transaction as the intent and kept until it succeeds or fails for good. Retry
 * state lives here, so any gateway instance can pick up any dispatch.
 */
@Entity({ name: 'dispatch' })
export class DispatchEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The tenant the row belongs to; part of every lookup. */
  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  /**
   * The id of the provider that takes the call (`ProviderId`): one of the contract's
   * `Provider` values for the default providers, any provider's id in general.
   */
  @Column({ type: 'text' })
  provider!: string;

  /** The mutation that asked for it, e.g. `updateApplication`. */
  @Column({ type: 'text' })
  operation!: string;

  @Column({ name: 'lead_id', type: 'uuid', nullable: true })
  leadId!: string | null;

  /** What to send, in the unified model; the adapter turns it into the provider's wire format. */
  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** Sent upstream on every attempt; with the caller's key, unique per operation. */
  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  /** Hash of the caller's input, to tell a replay from a reuse of the key with other input. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  @Column({ type: 'text' })
  state!: DispatchState;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts!: number;

  /** When the next attempt is due. */
  @Column({ name: 'run_at', type: 'timestamptz', default: () => 'now()' })
  runAt!: Date;

  /** Set while an instance holds the dispatch, so a crashed holder's claim can expire. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  /** Identifies the current claim; only its holder may record a retry. */
  @Column({ name: 'lock_token', type: 'uuid', nullable: true })
  lockToken!: string | null;

  @Column({ name: 'last_error', type: 'jsonb', nullable: true })
  lastError!: StoredProviderError | null;

  /** The provider's confirmed result, in the unified model. */
  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;

  /** The `x-request-id` of the request that asked for it, so later retries log it too (migration 0006). */
  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
