import { type Config } from '../config.js';
import { ConfigError } from '../config-env.js';
import { type ConnectionSummary, ConnectionStore } from '../connections/connection-store.js';
import { SealedBox } from '../connections/sealed-box.js';
import { type Logger } from '../logger.js';
import { type AnyProviderDescriptor, ProviderRegistry } from '../providers/index.js';
import { type RunningSandbox } from '../providers/sandbox/running-sandbox.js';
import { type SandboxBehavior } from '../providers/sandbox/sandbox-server.js';
import { UsageError } from './keys-command.js';
import { withMigratedDatabase } from './migrated-database.js';

/**
 * Makes `sandboxes` the tenant's own accounts at their providers, on the gateway's
 * database (`connections set` for each, rotating what the tenant had): in development,
 * a second lender with accounts of its own, apart from the built-in sandboxes. A
 * running gateway sends the tenant's next attempts to them without a restart.
 */
export async function connectTenantToSandboxes(
  config: Config,
  logger: Logger,
  tenantId: string,
  providers: readonly AnyProviderDescriptor[],
  sandboxes: ReadonlyArray<RunningSandbox<SandboxBehavior, unknown>>,
): Promise<ConnectionSummary[]> {
  // Sandbox accounts are made up at each start and gone at its end: no production tenant's.
  if (config.nodeEnv === 'production') throw new UsageError('--connect gives a tenant sandbox accounts: not with NODE_ENV=production');
  if (config.connectionsKeys === undefined) throw new UsageError("--connect needs CONNECTIONS_KEY, the gateway's own (connections are sealed with it)");
  const registry = new ProviderRegistry(config.providers.descriptors);
  return withMigratedDatabase(config, logger, async (db) => {
    const store = new ConnectionStore(db, registry, new SealedBox(config.connectionsKeys!));
    const connected: ConnectionSummary[] = [];
    try {
      for (const [i, provider] of providers.entries()) connected.push(await store.set(tenantId, provider.id, provider.settings.env(sandboxes[i]!.connection)));
    } catch (error) {
      // The default tenant, whose accounts are the gateway's own settings: the one line that says so.
      if (error instanceof ConfigError) throw new UsageError(error.message.replace(/^--tenant/, '--connect'));
      throw error;
    }
    return connected;
  });
}
