import { type DataSource } from 'typeorm';
import { type Logger } from '../logger.js';
import { LeadCommands } from '../services/lead-commands.js';
import { LeadStore } from '../services/lead-store.js';
import { RecordStore } from '../services/record-store.js';
import { StatusChangeStore } from '../services/status-change-store.js';
import { createLoaders, type Loaders } from './loaders.js';

/** The read side, shared by all requests. */
export interface Stores {
  readonly leads: LeadStore;
  readonly records: RecordStore;
  readonly statusChanges: StatusChangeStore;
}

/** Everything the resolvers use, built once at start-up. */
export interface Services {
  readonly stores: Stores;
  readonly leadCommands: LeadCommands;
}

export function createServices(db: DataSource): Services {
  return {
    stores: {
      leads: new LeadStore(db),
      records: new RecordStore(db),
      statusChanges: new StatusChangeStore(db),
    },
    leadCommands: new LeadCommands(db),
  };
}

/** The per-operation GraphQL context. */
export interface GraphQLContext {
  readonly services: Services;
  readonly loaders: Loaders;
  readonly logger: Logger;
}

export function createContext(services: Services, logger: Logger): GraphQLContext {
  return { services, loaders: createLoaders(services.stores), logger };
}
