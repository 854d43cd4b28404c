import { type ErrorRequestHandler } from 'express';

/**
 * A body the parser refuses (not JSON, too large) is the sender's error: answered with
 * its 4xx and one line, instead of express's HTML page. For the JSON routes outside
 * `/graphql` (webhooks, `/admin`); `/graphql` answers such bodies as GraphQL errors.
 */
export function unreadableBody(message: string): ErrorRequestHandler {
  return (error, _req, res, next) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return void res.status(status).json({ error: message });
    next(error);
  };
}
