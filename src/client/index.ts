/**
 * `leadgraph/client`: resumable subscriptions on graphql-ws, for browsers and Node.
 * Nothing here may import a Node module: the browser bundle test holds this.
 */
export { createResumableClient, type ExistingClientOptions, type ResumableClient, type ResumableClientOptions } from './resumable-client.js';
export { type ResumableEvent, type ResumableRequest, type ResumableSink, type ResumableSubscription } from './types.js';
export { type ResumableErrorDetails, type ResumableErrorKind, ResumableSubscriptionError } from './subscription-error.js';
export { GatewayCloseCode } from './recovery.js';
export { type RetryWait } from './resumable-subscription.js';
export { type BackoffOptions, cappedBackoff } from './backoff.js';
export { isAfter, isEventId, rootFieldId } from './event-id.js';
