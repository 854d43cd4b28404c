import { type DataSource } from 'typeorm';
import { type Config } from '../config.js';
import { createDataSource, runMigrations } from '../db/data-source.js';
import { openDatabase } from '../db/database.js';
import { type Logger } from '../logger.js';

/**
 * Runs `work` on the gateway's database for a CLI command: shared with a running
 * gateway (or an embedded server started for the command and stopped after it), with
 * one connection, migrated first, and everything closed however `work` ends.
 */
export async function withMigratedDatabase<T>(config: Config, logger: Logger, work: (db: DataSource) => Promise<T>): Promise<T> {
  const database = await openDatabase(config, logger, 'share');
  try {
    const db = createDataSource({ url: database.url, poolSize: 1 });
    await db.initialize();
    try {
      await runMigrations(db);
      return await work(db);
    } finally {
      await db.destroy();
    }
  } finally {
    await database.stop();
  }
}
