import { type DataSource } from 'typeorm';
import { type ApiKeyCheckOptions, ApiKeyService } from '../auth/api-keys.js';
import { type KeyIssuancePolicy } from '../auth/key-issuance.js';
import { type Dispatcher } from '../dispatch/dispatcher.js';
import { type StatusChangeHub } from '../events/change-hub.js';
import { StatusChangeStore } from '../events/status-change-store.js';
import { type LeadCursors } from '../graphql/cursor.js';
import { LeadCommands } from './lead-commands.js';
import { LeadRecordsStore } from './lead-records-store.js';
import { LeadStore } from './lead-store.js';
import { type MutationDeps } from './mutations/input-checks.js';
import { RecordAdoption } from './record-adoption.js';
import { RecordStore } from './record-store.js';
import { type VerificationCallbacks } from './verification-callbacks.js';

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

/** Assembles the services once, at start-up: what every request's resolvers share. */
export function createServices(
  db: DataSource,
  dispatcher: Dispatcher,
  maxAttempts: number,
  changes: StatusChangeHub,
  callbacks: VerificationCallbacks,
  keyIssuance: KeyIssuancePolicy,
  cursors: LeadCursors,
  /** How long successful API key checks are trusted (see auth/verified-keys.ts); absent: never. */
  apiKeyChecks: ApiKeyCheckOptions = {},
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
    apiKeys: new ApiKeyService(db, apiKeyChecks),
    mutations: { db, dispatcher, leads: stores.leads, records: stores.records, adoption: new RecordAdoption(db) },
    maxAttempts,
    changes,
    callbacks,
    keyIssuance,
    cursors,
  };
}

