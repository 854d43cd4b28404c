/**
 * The read benchmark's floor: the least a Node process can do to serve the read
 * workloads from this database. A bare node:http server and a pg pool of the gateway's
 * size; each request is ONE prepared statement whose single value is the finished JSON
 * answer, written to the socket as is. No GraphQL, no authentication, no validation
 * beyond what PostgreSQL does with the parameters.
 *
 *   floor-server.ts <database url> [pool size]
 *   GET /leads?first=50   → the gateway's answer to `leads(first: 50)` (bench/read/queries.ts)
 *   GET /lead?id=<uuid>   → the gateway's answer to `lead(id:)`
 *
 * Prints `FLOOR_READY <origin>` once it listens; stops on SIGTERM.
 */
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import pg from 'pg';
import { DEFAULT_TENANT } from '../../src/domain/roles.js';
import { gatewaySecret } from '../../src/db/gateway-secrets.js';
import { LeadCursors } from '../../src/graphql/cursor.js';
import { CURSOR_MARK, FLOOR_LEAD_SQL, FLOOR_LEADS_SQL } from './floor-sql.js';

const [databaseUrl, poolSize = '10'] = process.argv.slice(2);
if (databaseUrl === undefined) throw new Error('usage: floor-server.ts <database url> [pool size]');

const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(poolSize) });
// The installation's cursor key, as the gateway reads it (made by whichever starts first).
const cursors = new LeadCursors(await gatewaySecret({ query: async (sql, parameters) => (await pool.query(sql, parameters)).rows as never }, 'lead-cursor'));
const MARKED = new RegExp(`"${CURSOR_MARK}(\\d+)"`, 'g');

/** The statement and parameters a request maps to, or undefined for an unknown path. */
function statementFor(url: URL): pg.QueryConfig | undefined {
  // Named: prepared once per connection, then only bound and executed.
  if (url.pathname === '/leads') {
    return { name: 'floor_leads', text: FLOOR_LEADS_SQL, values: [DEFAULT_TENANT, Number(url.searchParams.get('first') ?? 20)] };
  }
  if (url.pathname === '/lead') {
    return { name: 'floor_lead', text: FLOOR_LEAD_SQL, values: [DEFAULT_TENANT, url.searchParams.get('id')] };
  }
  return undefined;
}

async function answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const statement = statementFor(new URL(req.url ?? '/', 'http://floor'));
  if (statement === undefined) {
    res.writeHead(404).end();
    return;
  }
  try {
    const result = await pool.query<[string]>({ ...statement, rowMode: 'array' });
    // The cursors, as the gateway encodes them: the same work per edge the gateway does.
    const body = (result.rows[0]?.[0] ?? '').replace(MARKED, (_, seq: string) => `"${cursors.encode(DEFAULT_TENANT, seq)}"`);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } catch (error) {
    const body = JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : String(error) }] });
    res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end(body);
  }
}

const server = http.createServer((req, res) => void answer(req, res));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`FLOOR_READY http://127.0.0.1:${port}\n`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
