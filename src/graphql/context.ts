import { type DataSource } from 'typeorm';
import { ApiKeyService } from '../auth/api-keys.js';
import { type KeyIssuancePolicy } from '../auth/key-issuance.js';
import { type LeadCursors } from './cursor.js';
import { type Dispatcher } from '../dispatch/dispatcher.js';
import { type StatusChangeHub } from '../events/change-hub.js';
import { type MutationDeps } from '../services/mutations/input-checks.js';
import { RecordAdoption } from '../services/record-adoption.js';
import { type Principal } from '../domain/roles.js';
import { type Logger } from '../logger.js';
import { LeadCommands } from '../services/lead-commands.js';
import { LeadRecordsStore } from '../services/lead-records-store.js';
import { LeadStore } from '../services/lead-store.js';
import { RecordStore } from '../services/record-store.js';
import { StatusChangeStore } from '../services/status-change-store.js';
import { type VerificationCallbacks } from '../services/verification-callbacks.js';
import { createLoaders, type Loaders } from './loaders.js';

/** The read side, shared by all requests. */
export interface Stores {
  readonly leads: LeadStore;
  readonly records: RecordStore;
  /** Many leads' records in one statement (see `lead-records-preload.ts`). */
  readonly leadRecords: LeadRecordsStore;
  readonly statusChanges: StatusChangeStore;
}

/** Everything the resolvers use, built once at start-up. */
export interface Services {
  readonly stores: Stores;
  readonly leadCommands: LeadCommands;
  readonly apiKeys: ApiKeyService;
  /** The dispatching mutations' dependencies (the outbox's dispatcher among them). */
  readonly mutations: MutationDeps;
  /** Attempts a re-queued dispatch gets. */
  readonly maxAttempts: number;
  /** This instance's view of the status-change log, for subscriptions. */
  readonly changes: StatusChangeHub;
  /** Per-process Tecalis callback URLs. */
  readonly callbacks: VerificationCallbacks;
  /** Limits on keys created through the API. */
  readonly keyIssuance: KeyIssuancePolicy;
  /** Opaque, tenant-bound page cursors. */
  readonly cursors: LeadCursors;
}

export function createServices(
  db: DataSource,
  dispatcher: Dispatcher,
  maxAttempts: number,
  changes: StatusChangeHub,
  callbacks: VerificationCallbacks,
  keyIssuance: KeyIssuancePolicy,
  cursors: LeadCursors,
): Services {
  const stores = {
    leads: new LeadStore(db),
    records: new RecordStore(db),
    leadRecords: new LeadRecordsStore(db),
    statusChanges: new StatusChangeStore(db),
  };
  return {
    stores,
    leadCommands: new LeadCommands(db),
    apiKeys: new ApiKeyService(db),
    mutations: { db, dispatcher, leads: stores.leads, records: stores.records, adoption: new RecordAdoption(db) },
    maxAttempts,
    changes,
    callbacks,
    keyIssuance,
    cursors,
  };
}

/** The per-operation GraphQL context. */
export interface GraphQLContext {
  readonly services: Services;
  /** Who is calling; every read and write is scoped to `principal.tenantId`. */
  readonly principal: Principal;
  readonly loaders: Loaders;
  readonly logger: Logger;
  /** The WebSocket the operation came by, if any: a subscription that falls behind closes it. */
  readonly connection?: { close(code: number, reason: string): void };
  /**
   * The context one event of a subscription executes with: the same caller, fresh
   * loaders. A subscription lives long; its loaders would otherwise answer every
   * later event with the rows they read for the first (a lead's stage, frozen).
   */
  forEvent(): GraphQLContext;
}

export function createContext(
  services: Services,
  principal: Principal,
  logger: Logger,
  connection?: GraphQLContext['connection'],
): GraphQLContext {
  // The loaders are made on first use: a subscription's context lives as long as the
  // subscription, and `statusChanged` never loads anything, so 20,000 of them would
  // otherwise each hold six unused DataLoaders.
  let loaders: Loaders | undefined;
  return {
    services,
    principal,
    get loaders() {
      return (loaders ??= createLoaders(services.stores, principal.tenantId));
    },
    logger,
    ...(connection !== undefined && { connection }),
    forEvent: () => createContext(services, principal, logger, connection),
  };
}
