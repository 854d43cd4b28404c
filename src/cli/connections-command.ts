import { parseArgs } from 'node:util';
import { type Config } from '../config.js';
import { ConfigError, type Env } from '../config-env.js';
import { ConnectionInUse, ConnectionStore, UnopenableConnections } from '../connections/connection-store.js';
import { SealedBox } from '../connections/sealed-box.js';
import { requireTenantId } from '../domain/roles.js';
import { type Logger } from '../logger.js';
import { ProviderRegistry } from '../providers/index.js';
import { asUsage, UsageError } from './keys-command.js';
import { withMigratedDatabase } from './migrated-database.js';

export const CONNECTIONS_USAGE = `  connections set --tenant <tenant> --provider <id>
            create or rotate the tenant's own account at a provider, from the provider's
            variables in this command's environment (e.g. LEADBANK_BASE_URL,
            LEADBANK_CLIENT_ID, LEADBANK_CLIENT_SECRET); sealed with CONNECTIONS_KEY
  connections list [--tenant <tenant>]
            list connections (never their credentials)
  connections remove --tenant <tenant> --provider <id>
            remove one; refused while a dispatch of the tenant to the provider is pending
  connections rekey
            seal every connection sealed with a key of CONNECTIONS_KEY_PREVIOUS anew with
            CONNECTIONS_KEY (all or none); then CONNECTIONS_KEY_PREVIOUS can go`;

/** What the command reads besides its arguments (tests give their own). */
export interface ConnectionsCommandOptions {
  /** Where `set` reads the provider's variables (the process's environment by default). */
  readonly env?: Env;
}

/**
 * `leadgraph connections …`: tenants' provider connections, from the shell, against
 * the gateway's database. Writes only its result to `out`; never a credential.
 */
export async function connectionsCommand(
  args: string[],
  config: Config,
  logger: Logger,
  out: NodeJS.WritableStream,
  options: ConnectionsCommandOptions = {},
): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, options: { tenant: { type: 'string' }, provider: { type: 'string' } }, allowPositionals: true, strict: true });
  if (positionals.length > 0) throw new UsageError(`connections ${action ?? ''} takes no positional argument`);
  const registry = new ProviderRegistry(config.providers.descriptors);
  const tenant = values.tenant === undefined ? undefined : asUsage(() => requireTenantId(values.tenant!, '--tenant'));
  const providerId = values.provider;
  if (providerId !== undefined && !registry.ids.includes(providerId)) throw new UsageError(`--provider must be one of ${registry.ids.join(', ')}`);
  const needBoth = (): [string, string] => {
    if (tenant === undefined || providerId === undefined) throw new UsageError(`connections ${action} needs --tenant <tenant> and --provider <id>`);
    return [tenant, providerId];
  };

  let run: (store: ConnectionStore) => Promise<number>;
  switch (action) {
    case 'set': {
      const [tenantId, provider] = needBoth();
      if (config.connectionsKeys === undefined) throw new UsageError('connections set needs CONNECTIONS_KEY (32 random bytes: openssl rand -base64 32)');
      run = async (store) => {
        const set = await store.set(tenantId, provider, options.env ?? process.env);
        logger.info({ tenant: tenantId, provider, version: set.version }, set.version === 1 ? 'provider connection created' : 'provider connection rotated');
        out.write(`${set.tenantId}  ${set.provider}  ${set.baseUrl}  version ${set.version}\n`);
        return 0;
      };
      break;
    }
    case 'list':
      run = async (store) => {
        for (const c of await store.list(tenant)) out.write(`${c.tenantId}  ${c.provider}  ${c.baseUrl}  version ${c.version}  updated ${c.updatedAt.toISOString()}\n`);
        return 0;
      };
      break;
    case 'remove': {
      const [tenantId, provider] = needBoth();
      run = async (store) => {
        try {
          if (!(await store.remove(tenantId, provider))) {
            logger.error({ tenant: tenantId, provider }, 'no such connection');
            return 1;
          }
        } catch (error) {
          if (!(error instanceof ConnectionInUse)) throw error;
          logger.error({ tenant: tenantId, provider, pending: error.pending }, error.message);
          return 1;
        }
        logger.info({ tenant: tenantId, provider }, 'provider connection removed');
        out.write(`removed ${tenantId} ${provider}\n`);
        return 0;
      };
      break;
    }
    case 'rekey':
      if (tenant !== undefined || providerId !== undefined) throw new UsageError('connections rekey takes no --tenant or --provider: it reseals every connection');
      if (config.connectionsKeys === undefined) throw new UsageError('connections rekey needs CONNECTIONS_KEY (the new key) and CONNECTIONS_KEY_PREVIOUS (the keys it replaces)');
      run = async (store) => {
        try {
          const outcome = await store.rekey();
          logger.info({ resealed: outcome.resealed, current: outcome.current }, 'provider connections resealed with CONNECTIONS_KEY');
          out.write(`resealed ${outcome.resealed}, already sealed with CONNECTIONS_KEY ${outcome.current}\n`);
          return 0;
        } catch (error) {
          if (!(error instanceof UnopenableConnections)) throw error;
          logger.error({ connections: error.connections }, `${error.message}; nothing was changed`);
          return 1;
        }
      };
      break;
    case undefined:
      throw new UsageError('connections needs an action');
    default:
      throw new UsageError(`unknown connections action "${action}"`);
  }

  return withMigratedDatabase(config, logger, async (db) => {
    try {
      return await run(new ConnectionStore(db, registry, config.connectionsKeys && new SealedBox(config.connectionsKeys)));
    } catch (error) {
      // A variable the provider needs, missing or malformed: the one line that names it.
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
  });
}
