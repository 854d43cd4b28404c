import pg from 'pg';
import { clusterUrl } from './cluster-url.js';
import { type ClusterCredentials } from './credentials.js';
import { scramVerifier } from './scram-verifier.js';

/** Options for {@link ensureGatewayOwner}. */
export interface GatewayOwnerOptions {
  /** A superuser session on the cluster's `postgres` database. */
  readonly admin: pg.Client;
  readonly port: number;
  readonly credentials: ClusterCredentials;
  /** The gateway's database, created if missing. */
  readonly database: string;
}

/**
 * What a role needs to run the gateway and its migrations, and nothing that reaches
 * past its own database: no superuser (which may run programs on the server with
 * `COPY … PROGRAM` and read every password hash), no creating roles or databases.
 */
const OWNER_ATTRIBUTES = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';

/**
 * Makes the cluster what the gateway expects, whatever state it was left in: the owner
 * role exists with exactly {@link OWNER_ATTRIBUTES}, its kept password and no
 * memberships; it owns the gateway's database and every relation in its `public`
 * schema. Run at every start, so a cluster made before the owner role existed (its
 * tables owned by the superuser that ran the migrations then), or a start that died
 * half-way, comes out the same as a fresh one.
 */
export async function ensureGatewayOwner(options: GatewayOwnerOptions): Promise<void> {
  const { admin, port, database } = options;
  const { owner, superuser } = options.credentials;
  const role = admin.escapeIdentifier(owner.name);
  const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [owner.name]);
  // The hashed form: the password itself never reaches the server's log or pg_stat_activity.
  const password = admin.escapeLiteral(scramVerifier(owner.password));
  await admin.query(`${exists.rowCount === 0 ? 'CREATE' : 'ALTER'} ROLE ${role} ${OWNER_ATTRIBUTES} PASSWORD ${password}`);
  // A membership (pg_execute_server_program, or a superuser role) would hand back what the attributes withhold.
  const memberships = await admin.query<{ granted: string }>(
    'SELECT r.rolname AS granted FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = $1::text::regrole',
    [owner.name],
  );
  for (const { granted } of memberships.rows) await admin.query(`REVOKE ${admin.escapeIdentifier(granted)} FROM ${role}`);

  const found = await admin.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [database]);
  const name = admin.escapeIdentifier(database);
  if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${name} OWNER ${role}`);
  else if (found.rows[0]?.owner !== owner.name) await admin.query(`ALTER DATABASE ${name} OWNER TO ${role}`);

  // Relations are owned per object, not through the database: hand over those the superuser made.
  const inDatabase = new pg.Client({ connectionString: clusterUrl(port, superuser, database) });
  await inDatabase.connect();
  try {
    await handOverRelations(inDatabase, owner.name);
  } finally {
    await inDatabase.end();
  }
}

/** `ALTER … OWNER TO` per kind of relation; indexes, and sequences that belong to a column, follow their table. */
const RELATION_KINDS: Readonly<Record<string, string>> = {
  r: 'TABLE',
  p: 'TABLE',
  v: 'VIEW',
  m: 'MATERIALIZED VIEW',
  f: 'FOREIGN TABLE',
  S: 'SEQUENCE',
};

/**
 * Migrations change tables, and only a table's owner may; a table left to the
 * superuser would make the next migration fail for the owner role. Sequences of
 * identity or serial columns are skipped: PostgreSQL moves them with their table and
 * refuses to move them alone.
 */
async function handOverRelations(client: pg.Client, owner: string): Promise<void> {
  const { rows } = await client.query<{ kind: string; name: string }>(
    `SELECT c.relkind AS kind, format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public'
        AND c.relkind::text = ANY ($2::text[])
        AND c.relowner <> $1::text::regrole
        AND (c.relkind <> 'S' OR NOT EXISTS (
              SELECT 1 FROM pg_depend d
               WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
      ORDER BY c.relkind = 'S'`,
    [owner, Object.keys(RELATION_KINDS)],
  );
  for (const { kind, name } of rows) {
    await client.query(`ALTER ${RELATION_KINDS[kind]} ${name} OWNER TO ${client.escapeIdentifier(owner)}`);
  }
}
