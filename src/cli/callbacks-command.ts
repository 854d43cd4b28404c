import { parseArgs } from 'node:util';
import { type Config } from '../config.js';
import { GatewayError } from '../domain/errors.js';
import { requireUuid } from '../domain/ids.js';
import { requireTenantId } from '../domain/roles.js';
import { type Logger } from '../logger.js';
import { VerificationCallbacks } from '../services/verification-callbacks.js';
import { UsageError } from './keys-command.js';
import { withMigratedDatabase } from './migrated-database.js';

export const CALLBACKS_USAGE = `  callbacks issue --tenant <tenant> <auth_uuid>
            issue a Tecalis callback URL for one process (PUBLIC_URL, or HOST:PORT, as its base);
            prints it alone on its line, shown only this once: give it as callback and callback_ko`;

/**
 * `leadgraph callbacks issue …`: the `issueVerificationCallback` mutation from the
 * shell, against the same database the gateway uses. Writes only the URL to `out`;
 * everything else goes to the log. A running gateway's built-in Tecalis sandbox is
 * not told (it is in another process): give it the URL with
 * `PUT /__sandbox/processes/<auth_uuid>/callbacks`.
 */
export async function callbacksCommand(args: string[], config: Config, logger: Logger, out: NodeJS.WritableStream): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, options: { tenant: { type: 'string' } }, allowPositionals: true, strict: true });
  // Check the words before touching the database.
  if (action === undefined) throw new UsageError('callbacks needs an action');
  if (action !== 'issue') throw new UsageError(`unknown callbacks action "${action}"`);
  if (values.tenant === undefined) throw new UsageError('callbacks issue needs --tenant <tenant>');
  const [authUuid] = positionals;
  if (authUuid === undefined || positionals.length > 1) throw new UsageError('callbacks issue needs exactly one auth_uuid');
  let tenant: string;
  try {
    tenant = requireTenantId(values.tenant, '--tenant');
    requireUuid(authUuid, 'auth_uuid');
  } catch (error) {
    if (error instanceof GatewayError) throw new UsageError(error.message);
    throw error;
  }
  const publicUrl = config.publicUrl ?? ownAddress(config);
  if (publicUrl === undefined) throw new UsageError('callbacks issue needs PUBLIC_URL (or a PORT other than 0) to build the URL');

  return withMigratedDatabase(config, logger, async (db) => {
    let issued;
    try {
      issued = await new VerificationCallbacks(db, { publicUrl: () => publicUrl }).issue(tenant, authUuid, 'auth_uuid');
    } catch (error) {
      // Another tenant holds the process: said as the mutation says it.
      if (!(error instanceof GatewayError)) throw error;
      logger.error({ authUuid, tenant }, error.message);
      return 1;
    }
    logger.info({ authUuid: issued.authUuid, tenant }, 'Tecalis callback URL issued; it is printed on stdout and shown only this once');
    out.write(`${issued.callbackUrl.href}\n`);
    return 0;
  });
}

/** The address a gateway started with this configuration listens on, when it is fixed. */
function ownAddress(config: Config): URL | undefined {
  if (config.port === 0) return undefined;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return new URL(`http://${host}:${config.port}`);
}
