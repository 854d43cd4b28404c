import { type Request, type Router } from 'express';
import { type Env } from '../config-env.js';
import { type ApplicationRecord, type VerificationRecord } from '../domain/records.js';
import { type Logger } from '../logger.js';

/**
 * The process a Tecalis callback URL's token was issued for: the callback is accepted
 * only about that process, and applied only to that tenant's copy.
 */
export interface CallbackGrant {
  readonly tenantId: string;
  readonly authUuid: string;
}

/**
 * What became of a webhook: applied to the tenant holding its record; a duplicate;
 * kept until a tenant adopts a record nobody holds yet; older than the stored record
 * (`stale`) or saying what it holds already (`unchanged`), so nothing changed; or, not
 * placeable against the stored record (same `updated_at`, different content), the
 * record as the provider holds it now was read and stored instead (`refreshed`).
 */
export type IntakeOutcome = 'applied' | 'duplicate' | 'kept' | 'stale' | 'unchanged' | 'refreshed';

/**
 * What became of a per-process callback: applied; an exact replay of one applied
 * before; older than the stored state (`stale`); an attempt to move a finished process
 * back (`finished`); or about a process that no longer exists (`unknown`, refused like
 * a URL never issued). Only `applied` changed anything.
 */
export type CallbackOutcome = 'applied' | 'duplicate' | 'stale' | 'finished' | 'unknown';

/**
 * A webhook that could not be placed now (its record kept changing while the provider
 * was read to place it): nothing was kept, and the route answers 503 so the provider
 * sends it again.
 */
export class WebhookNotPlaced extends Error {
  override name = 'WebhookNotPlaced';
}

/**
 * The gateway's records as a provider's webhook routes change them. Implemented by
 * `services/webhook-intake.ts`; declared here so that a provider depends on the port,
 * not on the services (as `LocalRecords` is for dispatch results). Each call commits
 * before it answers: a route acknowledges a webhook only once it is kept.
 */
export interface InboundRecords {
  /** An application a signed webhook carries, applied once per `eventId` (a repeat is `duplicate`). */
  applyApplication(eventId: string, application: ApplicationRecord): Promise<IntakeOutcome>;
  /** The process a callback URL's token was issued for, if any. */
  callbackGrant(token: string): Promise<CallbackGrant | undefined>;
  /** A process a callback URL's caller sent, applied only forward; `bodyHash` tells an exact replay. */
  applyVerificationCallback(grant: CallbackGrant, verification: VerificationRecord, bodyHash: string): Promise<CallbackOutcome>;
}

/** What the gateway gives a provider's webhook routes. */
export interface InboundDeps {
  readonly records: InboundRecords;
  /** The largest body a route reads (`MAX_BODY_BYTES`). */
  readonly maxBodyBytes: number;
  /**
   * Counts a refused authentication (a bad signature, an unknown token) against the
   * sender's address, in the budget `/graphql` shares. Over budget, the gateway answers
   * 429 before the provider's routes see the request.
   */
  authFailed(req: Request): Promise<void>;
  readonly logger: Logger;
}

/**
 * A provider that calls the gateway: its routes, mounted at `/webhooks/<path>`, and the
 * variables they are configured with (secrets, tolerances), read once at start.
 */
export interface WebhookSpec<Settings> {
  /** E.g. `leadbank`: its routes answer under `/webhooks/leadbank`. */
  readonly path: string;
  /** Reads its variables (with `config-env.ts`'s helpers), whether the provider is live or its sandbox. */
  read(env: Env): Settings;
  /**
   * The settings in force when the provider runs on its built-in sandbox: a sandbox
   * that signs its webhooks needs a secret even where none is configured (one is made up).
   */
  forSandbox?(settings: Settings): Settings;
  /** Its routes, answered only after what they change is committed, so a provider that gets no 2xx sends again. */
  routes(settings: Settings, deps: InboundDeps): Router;
}
