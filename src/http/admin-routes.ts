import express, { type Router } from 'express';
import { type RateLimit } from '../auth/rate-limiter.js';
import { ConfigError, type Secret } from '../config-env.js';
import { ConnectionInUse, type ConnectionStore, type ConnectionSummary } from '../connections/connection-store.js';
import { isTenantId } from '../domain/roles.js';
import { type Logger } from '../logger.js';
import { requireOperatorToken } from './operator-token.js';
import { unreadableBody } from './unreadable-body.js';

/** What `/admin` needs. */
export interface AdminRouteDeps {
  /** `ADMIN_TOKEN`; unset: `/admin` answers 404. */
  readonly token: Secret | undefined;
  readonly connections: ConnectionStore;
  /** Whether connections can be set here (`CONNECTIONS_KEY`). */
  readonly canSeal: boolean;
  readonly maxBodyBytes: number;
  readonly authFailures: RateLimit;
  readonly logger: Logger;
}

/**
 * `/admin/connections`: tenants' provider connections, for the deployment's
 * administrator (`Authorization: Bearer <ADMIN_TOKEN>`), as `leadgraph connections`
 * manages them from the shell. Answers never carry a credential:
 *
 * - `GET /admin/connections[?tenant=<t>]`: the connections, as listed by the CLI;
 * - `PUT /admin/connections/<tenant>/<provider>` with `{"variables": {...}}`, the
 *   provider's own variables: creates (201) or rotates (200) it, refused with 400 and
 *   the variable at fault before anything is stored;
 * - `DELETE /admin/connections/<tenant>/<provider>`: 204; 404 when there is none; 409
 *   while a dispatch of that tenant to that provider is pending.
 */
export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = express.Router();
  const { connections, logger } = deps;
  router.use(requireOperatorToken({ token: deps.token, variable: 'ADMIN_TOKEN', route: '/admin', realm: 'leadgraph-admin', authFailures: deps.authFailures }));
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/connections', async (req, res) => {
    const tenant = typeof req.query.tenant === 'string' ? req.query.tenant : undefined;
    if (tenant !== undefined && !isTenantId(tenant)) return void res.status(400).json({ error: `tenant: expected a tenant id, but got ${JSON.stringify(tenant)}`, field: 'tenant' });
    res.json({ connections: (await connections.list(tenant)).map(view) });
  });

  router.put('/connections/:tenant/:provider', express.json({ limit: deps.maxBodyBytes }), async (req, res) => {
    const { tenant, provider } = req.params;
    if (!isTenantId(tenant)) return void res.status(400).json({ error: `tenant: expected a tenant id, but got ${JSON.stringify(tenant)}`, field: 'tenant' });
    const variables: unknown = (req.body as { variables?: unknown } | undefined)?.variables;
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables) || !Object.values(variables).every((v) => typeof v === 'string')) {
      return void res.status(400).json({ error: 'variables: expected an object of the provider\'s variables, each a string', field: 'variables' });
    }
    if (!deps.canSeal) return void res.status(409).json({ error: 'connections cannot be set on this gateway: CONNECTIONS_KEY is not set' });
    try {
      const set = await connections.set(tenant, provider, variables as Record<string, string>);
      logger.info({ tenant, provider: set.provider, version: set.version, by: 'admin api' }, set.version === 1 ? 'provider connection created' : 'provider connection rotated');
      res.status(set.version === 1 ? 201 : 200).json({ connection: view(set) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const argument = /^--(provider|tenant)$/.exec(error.variable)?.[1];
      res.status(400).json({ error: error.message.replace(/^--/, ''), field: argument ?? `variables.${error.variable}` });
    }
  });

  router.delete('/connections/:tenant/:provider', async (req, res) => {
    const { tenant, provider } = req.params;
    try {
      if (!isTenantId(tenant) || !(await connections.remove(tenant, provider))) return void res.status(404).json({ error: 'no such connection' });
    } catch (error) {
      if (error instanceof ConnectionInUse) return void res.status(409).json({ error: error.message, pending: error.pending });
      if (error instanceof ConfigError) return void res.status(404).json({ error: 'no such connection' });
      throw error;
    }
    logger.info({ tenant, provider, by: 'admin api' }, 'provider connection removed');
    res.status(204).end();
  });

  router.use(unreadableBody('the body could not be read as JSON'));
  return router;
}

function view(c: ConnectionSummary) {
  return { tenant: c.tenantId, provider: c.provider, baseUrl: c.baseUrl, version: c.version, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() };
}
