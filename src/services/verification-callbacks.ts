import { type DataSource } from 'typeorm';
import { requireUuid } from '../domain/ids.js';
import { Provider } from '../domain/vocabulary.js';
import { type CallbackGrant } from '../providers/index.js';
import { connectionWebhookPath } from '../connections/connection-webhooks.js';
import { ENVIRONMENT_TENANT } from '../connections/provider-accounts.js';
import { findCallbackGrant, storeCallbackToken } from './callback-tokens.js';
import { adoptRecord } from './record-adoption.js';

/** The callback URLs of one Tecalis process, as issued: give them to Tecalis at process creation. */
export interface IssuedVerificationCallback {
  readonly authUuid: string;
  /** `replacements.callback`. */
  readonly callbackUrl: URL;
  /** `replacements.callback_ko`: the same URL (the gateway reads the outcome from the body, not from the URL called). */
  readonly callbackKoUrl: URL;
}

/** Where the gateway is reached from outside, and who else must learn of an issued URL. */
export interface VerificationCallbackOptions {
  /** The gateway's public base URL (`PUBLIC_URL`, or its own address); read at each issue, as the port is known only once it listens. */
  readonly publicUrl: () => URL;
  /**
   * Called after an issue is committed. With the built-in Tecalis sandbox, this hands it
   * the URLs, as whoever creates a process hands them to Tecalis.
   */
  readonly onIssued?: (issued: IssuedVerificationCallback) => void;
}

/** Tecalis's webhook path (its descriptor's `webhooks.path`), under `webhooks/` of the public base URL. */
const TECALIS_PATH = 'tecalis';

/**
 * Per-process Tecalis callback URLs. Tecalis signs nothing, so the URL it calls is the
 * credential: each carries an unguessable token bound to one process and the tenant
 * holding it, and only a callback through such a URL, about that process, is applied.
 * Issuing one adopts the process for the caller's tenant as first contact does (see
 * `record-adoption.ts`), within the tenant's own Tecalis account, so a tenant can
 * never open another tenant's process to callbacks.
 */
export class VerificationCallbacks {
  constructor(
    private readonly db: DataSource,
    private readonly options: VerificationCallbackOptions,
  ) {}

  /** Issues a new URL for the process (earlier ones stay valid: Tecalis may still hold them). */
  async issue(tenantId: string, authUuid: string, field = 'authUuid'): Promise<IssuedVerificationCallback> {
    const id = requireUuid(authUuid, field);
    const token = await this.db.transaction(async (manager) => {
      // No lead is linked here, so `fields.lead` is never named.
      await adoptRecord(manager, tenantId, Provider.TECALIS, id, null, { record: field, lead: field });
      return storeCallbackToken(manager, { tenantId, authUuid: id });
    });
    const url = callbackUrl(this.options.publicUrl(), token, tenantId);
    const issued = { authUuid: id, callbackUrl: url, callbackKoUrl: url };
    // The built-in sandbox is the environment's Tecalis account: another tenant's processes are in its own.
    if (tenantId === ENVIRONMENT_TENANT) this.options.onIssued?.(issued);
    return issued;
  }

  /** The process a callback URL's token was issued for, or undefined. */
  grantOf(token: string): Promise<CallbackGrant | undefined> {
    return findCallbackGrant(this.db, token);
  }
}

/**
 * `<public base>/webhooks/tecalis/<token>` for the environment's account, and
 * `<public base>/webhooks/tecalis/connections/<tenant>/<token>` for a tenant's own
 * connection (checked with that connection's `TECALIS_WEBHOOK_TOKEN`); a base with a
 * path (behind a proxy) keeps it.
 */
export function callbackUrl(publicUrl: URL, token: string, tenantId: string = ENVIRONMENT_TENANT): URL {
  const base = publicUrl.href.endsWith('/') ? publicUrl.href : `${publicUrl.href}/`;
  const route = tenantId === ENVIRONMENT_TENANT ? TECALIS_PATH : connectionWebhookPath(TECALIS_PATH, tenantId);
  return new URL(`webhooks/${route}/${token}`, base);
}
