import { type Principal } from '../domain/roles.js';
import { type Logger } from '../logger.js';
import { type Services } from '../services/services.js';
import { createLoaders, type Loaders } from './loaders.js';

export type { Services, Stores } from '../services/services.js';

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
