/**
 * How the gateway names a provider: in the outbox (`dispatch.provider`), the status-change
 * log, the shared circuit breakers and the metrics' `provider` label. For the four
 * providers of the public contract it is their GraphQL `Provider` value. A file of its
 * own: the observability layer names providers without depending on their descriptors.
 */
export type ProviderId = string;
