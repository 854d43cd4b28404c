import { type NodeHandler } from './handler-chain.js';
import { sendGraphQLError } from './graphql-error-response.js';

/**
 * The body encodings the gateway reads, the same on every supported Node line. The
 * body parser decodes whatever the running Node's zlib can (zstd from Node 22.15 on),
 * so without this list one request would answer 415 on Node 20 and 400 on Node 24.
 */
const READABLE_ENCODINGS = new Set(['identity', 'gzip', 'deflate', 'br']);

/** Refuses a body in an encoding the gateway does not read with 415, before it is read. */
export const refuseUnreadableEncoding: NodeHandler = (req, res, next) => {
  const header = req.headers['content-encoding'];
  const encoding = (header ?? 'identity').trim().toLowerCase();
  if (READABLE_ENCODINGS.has(encoding)) {
    next();
    return;
  }
  sendGraphQLError(req, res, {
    status: 415,
    code: 'BAD_REQUEST',
    message: `Content-Encoding "${encoding.slice(0, 40)}" is not supported: send the body as is, or in gzip, deflate or br.`,
  });
};
