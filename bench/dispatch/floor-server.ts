/**
 * The dispatch benchmark's floor: the same durable work as the gateway's two measured
 * mutations, hand-written with `pg` on `node:http`, under the same crash-safety rules:
 *
 * - authenticate by the key's hash (the gateway's `api_key` lookup);
 * - the outbox row written and committed, already claimed with a lease, BEFORE the
 *   provider is called (a crash after it leaves a row any gateway's poller sends; the
 *   lease keeps the pollers off it meanwhile);
 * - the call carries the dispatch's id as its idempotency key (Lead Bank; TECHEA
 *   deduplicates on lead and event itself, and the gateway sends it no key either);
 * - the confirmed result applied in ONE transaction: the dispatch SUCCEEDED (only from
 *   PENDING, so never twice), the record, the lead's stage, the record's status change
 *   and the dispatch's end in the log, under the tenant's log lock, notified;
 * - the answer, from what that transaction returned.
 *
 * Three statements per mutation (floor-sql.ts) and one provider call through a
 * keep-alive agent. No GraphQL, no limits, no logging, no metrics: the least a Node
 * process can do for this work on this database, which the gateway's overhead is
 * measured against.
 *
 *   floor-server.ts <database url> <pool size> <sandboxes json>
 *   POST /reportLeadEvent    body: ReportLeadEventInput's { leadId, event, advertiserRef }
 *   POST /updateApplication  body: { applicationId, productName, metadata }
 *   → the gateway's answer shape: { data: { <operation>: { …, dispatch: { id state attempts lastError } } } }
 *
 * Prints `DISPATCH_FLOOR_READY <origin>` once it listens; stops on SIGTERM.
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import pg from 'pg';
import { type Role, roleAllows } from '../../src/domain/roles.js';
import { LeadEvent, LeadEventOutcome } from '../../src/domain/vocabulary.js';
import { requestHash } from '../../src/dispatch/request-hash.js';
import { endpoint } from '../../src/providers/http-client.js';
import { applicationStatusOf, toApplicationRecord, toWirePatch } from '../../src/providers/leadbank/index.js';
import { leadEventOutcomeOf as outcomeOf, toWireEvent } from '../../src/providers/techea/index.js';
import {
  FLOOR_APPLY_APPLICATION_SQL,
  FLOOR_APPLY_LEAD_EVENT_SQL,
  FLOOR_KEY_SQL,
  FLOOR_RECORD_APPLICATION_SQL,
  FLOOR_RECORD_LEAD_EVENT_SQL,
  FLOOR_REQUEST_ID_PREFIX,
  type FloorProviders,
  STAGE_PARAMETERS,
} from './floor-sql.js';

/** The gateway's defaults (src/config.ts): attempts per dispatch, lease of a claim, provider timeout. */
const MAX_ATTEMPTS = 8;
const LEASE_MS = 45_000;
const PROVIDER_TIMEOUT_MS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENTS = new Set<string>(Object.values(LeadEvent));

/** A refusal answered as the status and message given. */
class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const [databaseUrl, poolSize = '10', providersJson] = process.argv.slice(2);
if (databaseUrl === undefined || providersJson === undefined) throw new Error('usage: floor-server.ts <database url> <pool size> <sandboxes json>');
const providers = JSON.parse(providersJson) as FloorProviders;
const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(poolSize) });
const agent = new http.Agent({ keepAlive: true });

/** One provider call over the keep-alive agent: status and body. */
function call(url: URL, method: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method, agent, timeout: PROVIDER_TIMEOUT_MS, headers: { accept: 'application/json', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('provider timeout')));
    request.on('error', reject);
    request.end(body);
  });
}

/** Lead Bank's bearer token, fetched once and again shortly before it expires (as the gateway's token cache does). */
let token: { value: string; until: number } | undefined;
async function leadBankToken(): Promise<string> {
  if (token !== undefined && Date.now() < token.until) return token.value;
  const { leadBank } = providers;
  const answer = await call(endpoint(new URL(leadBank.baseUrl), 'v1/oauth/token'), 'POST', {}, JSON.stringify({
    grant_type: 'client_credentials', client_id: leadBank.clientId, client_secret: leadBank.clientSecret,
  }));
  const body = JSON.parse(answer.body) as { access_token?: string; expires_in?: number };
  if (answer.status !== 200 || body.access_token === undefined) throw new Error(`Lead Bank refused a token (${answer.status})`);
  token = { value: body.access_token, until: Date.now() + Math.max(0, (body.expires_in ?? 60) - 30) * 1000 };
  return token.value;
}

/** The caller's tenant, by its key's hash; refused like the gateway refuses (401). */
async function authenticate(authorization: string | undefined): Promise<string> {
  const key = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (key === undefined) throw new Refused(401, 'Authentication required');
  const { rows } = await pool.query<{ tenant_id: string; role: string }>({
    name: 'floor_key',
    text: FLOOR_KEY_SQL,
    values: [createHash('sha256').update(key).digest('hex')],
  });
  const row = rows[0];
  if (row === undefined) throw new Refused(401, 'The API key is not valid, or has been revoked.');
  if (!roleAllows(row.role as Role, 'operator')) throw new Refused(403, 'This key may not dispatch.');
  return row.tenant_id;
}

/** The claimed outbox row's parameters after the operation's own: key, hash, attempts, lease, token, request id. */
function claim(operation: string, input: unknown): unknown[] {
  return [randomUUID(), requestHash({ operation, input }), MAX_ATTEMPTS, LEASE_MS, randomUUID(), `${FLOOR_REQUEST_ID_PREFIX}${randomUUID()}`];
}

/**
 * A call that failed: the claim is given back with the error, for a poller's retry
 * (the row is committed: a gateway sends it again, with the same key). Answered as
 * the dispatch now is, PENDING, as the gateway answers one it could not settle.
 */
async function release(dispatchId: string, error: string): Promise<{ id: string; state: string; attempts: number }> {
  await pool.query(
    `UPDATE dispatch SET run_at = now() + interval '1 second', last_error = $2, locked_until = NULL, lock_token = NULL, updated_at = now()
      WHERE id = $1 AND state = 'PENDING'`,
    [dispatchId, JSON.stringify({ code: 'UNAVAILABLE', httpStatus: null, message: error })],
  );
  return { id: dispatchId, state: 'PENDING', attempts: 1 };
}

function dispatchAnswer(row: { id: string; state: string; attempts: number }) {
  return { id: row.id, state: row.state, attempts: row.attempts, lastError: null };
}

async function reportLeadEvent(tenantId: string, input: { leadId?: unknown; event?: unknown; advertiserRef?: unknown }) {
  const { leadId, event } = input;
  const advertiserRef = typeof input.advertiserRef === 'string' ? input.advertiserRef : null;
  if (typeof leadId !== 'string' || !UUID.test(leadId)) throw new Refused(400, 'input.leadId: not a lead id');
  if (typeof event !== 'string' || !EVENTS.has(event)) throw new Refused(400, 'input.event: not a lead event');
  const recorded = await pool.query<{ id: string; lead_id: string; techea_lead_id: string }>({
    name: 'floor_record_lead_event',
    text: FLOOR_RECORD_LEAD_EVENT_SQL,
    values: [tenantId, leadId, event, advertiserRef, ...claim('reportLeadEvent', input)],
  });
  const dispatch = recorded.rows[0];
  if (dispatch === undefined) throw new Refused(400, `input.leadId: no lead ${leadId} from TECHEA`);

  const url = endpoint(new URL(providers.techea.baseUrl), `lead/${dispatch.techea_lead_id}/status`);
  const wire = { event: toWireEvent(event as LeadEvent), ...(advertiserRef !== null && { advertiser_ref: advertiserRef }) };
  let answer: { status: number; body: string };
  try {
    answer = await call(url, 'PATCH', { apikey: providers.techea.apiKey }, JSON.stringify(wire));
  } catch (error) {
    return { outcome: null, lead: { id: leadId, stage: null }, dispatch: dispatchAnswer(await release(dispatch.id, String(error))) };
  }
  if (answer.status < 200 || answer.status > 299) {
    return { outcome: null, lead: { id: leadId, stage: null }, dispatch: dispatchAnswer(await release(dispatch.id, `TECHEA answered ${answer.status}`)) };
  }
  const status = (JSON.parse(answer.body) as { status?: string }).status;
  const outcome = status === undefined ? null : (outcomeOf(status) ?? null);
  const result = {
    operation: 'reportLeadEvent',
    result: {
      techeaLeadId: dispatch.techea_lead_id, event, outcome,
      ...(status !== undefined && { providerStatus: status }),
      ...(advertiserRef !== null && { advertiserRef }),
    },
  };
  const applied = await pool.query<{ id: string; state: string; attempts: number; lead_id: string; stage: string }>({
    name: 'floor_apply_lead_event',
    text: FLOOR_APPLY_LEAD_EVENT_SQL,
    values: [dispatch.id, JSON.stringify(result), event, advertiserRef, outcome === LeadEventOutcome.IGNORED, ...STAGE_PARAMETERS],
  });
  const row = applied.rows[0];
  if (row === undefined) throw new Error(`dispatch ${dispatch.id} was settled by someone else`);
  return { outcome, lead: { id: row.lead_id, stage: row.stage }, dispatch: dispatchAnswer(row) };
}

async function updateApplication(tenantId: string, input: { applicationId?: unknown; productName?: unknown; metadata?: unknown }) {
  const { applicationId } = input;
  if (typeof applicationId !== 'string' || !/^application_[A-Za-z0-9]+$/.test(applicationId)) throw new Refused(400, 'input.applicationId: not an application id');
  const command = {
    operation: 'updateApplication' as const,
    applicationId,
    ...(typeof input.productName === 'string' && { productName: input.productName }),
    ...(typeof input.metadata === 'object' && input.metadata !== null && { metadata: input.metadata as Record<string, unknown> }),
  };
  const recorded = await pool.query<{ id: string; lead_id: string | null }>({
    name: 'floor_record_application',
    text: FLOOR_RECORD_APPLICATION_SQL,
    values: [tenantId, applicationId, JSON.stringify(command), ...claim('updateApplication', input)],
  });
  const dispatch = recorded.rows[0];
  if (dispatch === undefined) throw new Refused(400, `input.applicationId: no application ${applicationId}`);

  const url = endpoint(new URL(providers.leadBank.baseUrl), `v0/applications/${applicationId}`);
  let answer: { status: number; body: string };
  try {
    answer = await call(url, 'PATCH', { authorization: `Bearer ${await leadBankToken()}`, 'idempotency-key': dispatch.id }, JSON.stringify(toWirePatch(command)));
  } catch (error) {
    return { application: { id: applicationId, productName: null }, dispatch: dispatchAnswer(await release(dispatch.id, String(error))) };
  }
  if (answer.status < 200 || answer.status > 299) {
    return { application: { id: applicationId, productName: null }, dispatch: dispatchAnswer(await release(dispatch.id, `Lead Bank answered ${answer.status}`)) };
  }
  const wire = JSON.parse(answer.body) as Parameters<typeof toApplicationRecord>[0];
  const application = toApplicationRecord({ ...wire, id: applicationId }, wire.status == null ? null : (applicationStatusOf(wire.status) ?? null));
  // As the gateway stores it: JSON, instants as ISO strings.
  const record = JSON.parse(JSON.stringify(application)) as Record<string, unknown>;
  const documents = application.documents.map((document, position) => ({ position, ...document }));
  const applied = await pool.query<{ id: string; state: string; attempts: number; application_id: string; product_name: string | null }>({
    name: 'floor_apply_application',
    text: FLOOR_APPLY_APPLICATION_SQL,
    values: [dispatch.id, JSON.stringify({ operation: 'updateApplication', result: { application: record } }), JSON.stringify(record), JSON.stringify(documents), ...STAGE_PARAMETERS],
  });
  const row = applied.rows[0];
  if (row === undefined) throw new Error(`dispatch ${dispatch.id} was settled by someone else`);
  return { application: { id: row.application_id, productName: row.product_name }, dispatch: dispatchAnswer(row) };
}

const OPERATIONS: Record<string, (tenantId: string, input: Record<string, unknown>) => Promise<unknown>> = {
  '/reportLeadEvent': reportLeadEvent,
  '/updateApplication': updateApplication,
};

async function answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const send = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
  };
  const operation = OPERATIONS[req.url ?? ''];
  if (req.method !== 'POST' || operation === undefined) {
    res.writeHead(404).end();
    return;
  }
  try {
    let text = '';
    req.setEncoding('utf8');
    for await (const chunk of req) text += chunk as string;
    const tenantId = await authenticate(req.headers.authorization);
    const data = await operation(tenantId, JSON.parse(text) as Record<string, unknown>);
    send(200, { data: { [req.url!.slice(1)]: data } });
  } catch (error) {
    const status = error instanceof Refused ? error.status : 500;
    send(status, { errors: [{ message: error instanceof Error ? error.message : String(error) }] });
  }
}

const server = http.createServer((req, res) => void answer(req, res));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`DISPATCH_FLOOR_READY http://127.0.0.1:${port}\n`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  agent.destroy();
  void pool.end().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
