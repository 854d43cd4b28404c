import type http from 'node:http';
import proxyaddr from 'proxy-addr';

/** The client address every per-address limit counts under, for one request. */
export type ClientAddressOf = (request: http.IncomingMessage) => string;

/**
 * Which hops may say who the client is. Without trusted proxies, the client is the TCP
 * peer: behind a load balancer that would make every client one address, so one
 * client's failed logins would use up everyone's budget. With them, the client is the
 * first address in `X-Forwarded-For`, read from the right, that is not a trusted proxy
 * (what Express does with `trust proxy`): a client cannot pass itself off as another by
 * sending the header, since only what a trusted hop appended is believed.
 */
export interface ClientAddressPolicy {
  /** For Express's `trust proxy` setting: the same rule for every route. */
  readonly trust: ((address: string, hop: number) => boolean) | false;
  /** For requests Express never sees: the WebSocket upgrade. */
  readonly addressOf: ClientAddressOf;
}

/**
 * `trustedProxies`: addresses or CIDR ranges of the proxies in front of the gateway, or
 * `proxy-addr`'s names (`loopback`, `linklocal`, `uniquelocal`); none for a gateway
 * reached directly.
 */
export function clientAddressPolicy(trustedProxies: readonly string[]): ClientAddressPolicy {
  if (trustedProxies.length === 0) {
    return { trust: false, addressOf: (request) => request.socket.remoteAddress ?? 'unknown' };
  }
  const trust = proxyaddr.compile([...trustedProxies]);
  return { trust, addressOf: (request) => proxyaddr(request, trust) };
}
