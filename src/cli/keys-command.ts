import { parseArgs } from 'node:util';
import { ApiKeyService } from '../auth/api-keys.js';
import { type Config } from '../config.js';
import { GatewayError } from '../domain/errors.js';
import { requireUuid } from '../domain/ids.js';
import { isRole, ROLES, requireTenantId } from '../domain/roles.js';
import { type Logger } from '../logger.js';
import { withMigratedDatabase } from './migrated-database.js';

export const KEYS_USAGE = `  keys create --tenant <tenant> --role <viewer|operator|admin> [--label <text>]
            create an API key; prints the key alone on its line (shown only this once)
  keys revoke <id>
            revoke a key at once
  keys list [--tenant <tenant>]
            list keys (never the keys themselves)`;

/** A mistake in the command line; main prints it with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `check`'s answer; an argument it refuses (a `GatewayError`) becomes the command line's mistake. */
export function asUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof GatewayError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * `leadgraph keys …`: key management from the shell, against the same database the
 * gateway uses (the running gateway's embedded server, if there is one).
 * Writes only its result to `out`; everything else goes to the log.
 */
export async function keysCommand(args: string[], config: Config, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { tenant: { type: 'string' }, role: { type: 'string' }, label: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  // Check the words before touching the database.
  let run: (keys: ApiKeyService) => Promise<number>;
  try {
    switch (action) {
      case 'create': {
        if (values.tenant === undefined) throw new UsageError('keys create needs --tenant <tenant>');
        const tenant = requireTenantId(values.tenant, '--tenant');
        if (!isRole(values.role)) throw new UsageError(`keys create needs --role ${ROLES.join('|')}`);
        const role = values.role;
        run = async (keys) => {
          const { entity, key } = await keys.create(tenant, role, { label: values.label ?? null, createdBy: 'cli' });
          logger.info({ keyId: entity.id, tenant, role, createdBy: 'cli' }, 'API key created; it is printed on stdout and shown only this once');
          out.write(`${key}\n`);
          return 0;
        };
        break;
      }
      case 'revoke': {
        const id = positionals[0];
        if (id === undefined || positionals.length > 1) throw new UsageError('keys revoke needs exactly one key id');
        requireUuid(id, 'id');
        run = async (keys) => {
          const revoked = await keys.revoke(id);
          if (revoked === null) {
            logger.error({ keyId: id }, 'no such API key');
            return 1;
          }
          logger.info({ keyId: id, tenant: revoked.tenantId }, 'API key revoked');
          out.write(`revoked ${id}\n`);
          return 0;
        };
        break;
      }
      case 'list': {
        const tenant = values.tenant === undefined ? undefined : requireTenantId(values.tenant, '--tenant');
        run = async (keys) => {
          for (const key of await keys.list(tenant)) {
            const state = key.revokedAt === null ? 'active' : `revoked ${key.revokedAt.toISOString()}`;
            out.write(`${key.id}  ${key.tenantId}  ${key.role}  ${key.keyPrefix}…  ${state}${key.label ? `  ${key.label}` : ''}\n`);
          }
          return 0;
        };
        break;
      }
      case undefined:
        throw new UsageError('keys needs an action');
      default:
        throw new UsageError(`unknown keys action "${action}"`);
    }
  } catch (error) {
    if (error instanceof GatewayError) throw new UsageError(error.message);
    throw error;
  }

  return withMigratedDatabase(config, logger, (db) => run(new ApiKeyService(db)));
}
