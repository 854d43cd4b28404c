import type http from 'node:http';
import { type Logger } from '../logger.js';

/** Probes, scraped every few seconds: logged at debug, so they do not drown the rest. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/** A path that carries a credential: a Tecalis callback URL's token is the whole proof of a callback. */
const CREDENTIAL_IN_PATH = /^(\/webhooks\/tecalis\/)[^/]+/;

/**
 * One line per HTTP request once its response is sent: method, path (without the
 * query string, cut to 200 characters, a callback URL's token replaced), status and
 * time. Never headers or bodies, which carry credentials. The request id comes from the scope (see `requestScope`).
 */
export function accessLog(logger: Logger): (req: http.IncomingMessage, res: http.ServerResponse, ms: number) => void {
  return (req, res, ms) => {
    // Below the level, not even the line is made (LOG_LEVEL=warn in production runs).
    if (!logger.isLevelEnabled('info') && !logger.isLevelEnabled('debug')) return;
    // express rewrites `url` below a mount; `originalUrl` (express only) is what was asked.
    const path = pathOf((req as { originalUrl?: string }).originalUrl ?? req.url ?? '');
    const line = { method: req.method, path, status: res.statusCode, ms: Math.round(ms) };
    if (PROBES.has(path)) logger.debug(line, 'http request');
    else logger.info(line, 'http request');
  };
}

function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return (end === -1 ? url : url.slice(0, end)).replace(CREDENTIAL_IN_PATH, '$1[redacted]').slice(0, 200);
}
