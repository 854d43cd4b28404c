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
  return new OperationContext(services, principal, logger, connection);
}

/**
 * A class, not an object literal with a getter and a closure: a subscription's context
 * lives as long as the subscription, and its methods are then shared by all of them.
 */
class OperationContext implements GraphQLContext {
  // The loaders are made on first use: `statusChanged` never loads anything, so 20,000
  // subscriptions would otherwise each hold six unused DataLoaders.
  private madeLoaders: Loaders | undefined;

  constructor(
    readonly services: Services,
    readonly principal: Principal,
    readonly logger: Logger,
    readonly connection: GraphQLContext['connection'],
  ) {}

  get loaders(): Loaders {
    return (this.madeLoaders ??= createLoaders(this.services.stores, this.principal.tenantId));
  }

  forEvent(): GraphQLContext {
    return new OperationContext(this.services, this.principal, this.logger, this.connection);
  }
}
