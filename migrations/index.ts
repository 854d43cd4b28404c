import { InitialSchema0000000000001 } from './0001-initial-schema.js';
import { TenantsAndApiKeys0000000000002 } from './0002-tenants-and-api-keys.js';
import { DispatchLockToken0000000000003 } from './0003-dispatch-lock-token.js';
import { WebhookEvents0000000000004 } from './0004-webhook-events.js';
import { UpstreamIdsOwnedOnce0000000000005 } from './0005-upstream-ids-owned-once.js';
import { DispatchRequestId0000000000006 } from './0006-dispatch-request-id.js';
import { AdoptedRecords0000000000007 } from './0007-adopted-records.js';
import { TecalisAsSent0000000000008 } from './0008-tecalis-as-sent.js';
import { ApplicationEntities0000000000009 } from './0009-application-entities.js';
import { LoanProviderValues0000000000010 } from './0010-loan-provider-values.js';
import { ApplicationProviderStatus0000000000011 } from './0011-application-provider-status.js';
import { VerificationCallbacks0000000000012 } from './0012-verification-callbacks.js';
import { ApiKeyExpiryAndCreator0000000000013 } from './0013-api-key-expiry-and-creator.js';
import { GatewaySecrets0000000000014 } from './0014-gateway-secrets.js';
import { DispatchChanges0000000000015 } from './0015-dispatch-changes.js';
import { SharedProtection0000000000016 } from './0016-shared-protection.js';
import { ProviderIds0000000000017 } from './0017-provider-ids.js';
import { ProviderConnections0000000000018 } from './0018-provider-connections.js';
import { IdsPerAccount0000000000019 } from './0019-ids-per-account.js';
import { WebhooksPerAccount0000000000020 } from './0020-webhooks-per-account.js';

/** Every migration, in order; an explicit list so tsc, tsx and vitest find the same files. */
export const MIGRATIONS = [
  InitialSchema0000000000001,
  TenantsAndApiKeys0000000000002,
  DispatchLockToken0000000000003,
  WebhookEvents0000000000004,
  UpstreamIdsOwnedOnce0000000000005,
  DispatchRequestId0000000000006,
  AdoptedRecords0000000000007,
  TecalisAsSent0000000000008,
  ApplicationEntities0000000000009,
  LoanProviderValues0000000000010,
  ApplicationProviderStatus0000000000011,
  VerificationCallbacks0000000000012,
  ApiKeyExpiryAndCreator0000000000013,
  GatewaySecrets0000000000014,
  DispatchChanges0000000000015,
  SharedProtection0000000000016,
  ProviderIds0000000000017,
  ProviderConnections0000000000018,
  IdsPerAccount0000000000019,
  WebhooksPerAccount0000000000020,
];
