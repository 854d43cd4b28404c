import { type Logger as TypeOrmLogger } from 'typeorm';
import { type Gateway, startGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from './database.js';

/** A gateway on a fresh database of its own, listening on a free port. */
export interface TestGateway extends Gateway {
  /** Closes the gateway and drops its database. */
  stop(): Promise<void>;
}

export async function startTestGateway(options: { sqlLogger?: TypeOrmLogger } = {}): Promise<TestGateway> {
  const database = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  const gateway = await startGateway(config, createLogger('silent'), options);
  return {
    ...gateway,
    async stop() {
      await gateway.close();
      await database.drop();
    },
  };
}
