import pg from 'pg';
import { clusterUrl } from './cluster-url.js';
import { type ClusterCredentials, credentialsFile } from './credentials.js';
import { scramVerifier } from './scram-verifier.js';

/**
 * The password every embedded cluster had before each data directory got random ones.
 * It is only ever tried to replace it: a cluster that still accepts it is open to any
 * local user, so the first start that finds one changes it.
 */
export const FORMER_FIXED_PASSWORD = 'leadgraph';

/** Thrown when the cluster accepts neither the kept nor the former password; the message says what to do. */
export class SuperuserLoginError extends Error {
  override name = 'SuperuserLoginError';
}

/** Options for {@link superuserSession}. */
export interface SuperuserLoginOptions {
  readonly port: number;
  readonly credentials: ClusterCredentials;
  /** Named in the error when no password works. */
  readonly dataDir: string;
}

/** A superuser connection, and whether it had to replace the former fixed password to get it. */
export interface SuperuserSession {
  readonly client: pg.Client;
  /** True when this login found the former fixed password and replaced it: the caller says so in the log. */
  readonly replacedFormerPassword: boolean;
}

/**
 * A connection as the superuser, to the `postgres` database, for setting the cluster up.
 * A cluster made before its data directory had a credentials file still has the former
 * fixed password: the session then logs in with it once and sets the superuser's password
 * to the kept one. The credentials file is written before that change, so a start that
 * dies in between finds the new password missing and the former one still working, and
 * simply does it again.
 */
export async function superuserSession(options: SuperuserLoginOptions): Promise<SuperuserSession> {
  const { port, dataDir } = options;
  const { superuser } = options.credentials;
  try {
    return { client: await connect(clusterUrl(port, superuser, 'postgres')), replacedFormerPassword: false };
  } catch (error) {
    if (!isPasswordRefused(error)) throw error;
  }
  let client: pg.Client;
  try {
    client = await connect(clusterUrl(port, { name: superuser.name, password: FORMER_FIXED_PASSWORD }, 'postgres'));
  } catch (error) {
    if (!isPasswordRefused(error)) throw error;
    throw new SuperuserLoginError(
      `the PostgreSQL in ${dataDir} refuses the superuser password kept in ${credentialsFile(dataDir)}; ` +
        'restore the file made with this data directory, or set LEADGRAPH_DATA_DIR to a fresh directory',
    );
  }
  try {
    await client.query(`ALTER ROLE ${client.escapeIdentifier(superuser.name)} PASSWORD ${client.escapeLiteral(scramVerifier(superuser.password))}`);
  } catch (error) {
    await client.end();
    throw error;
  }
  return { client, replacedFormerPassword: true };
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** 28P01 invalid_password: the role exists and the password is wrong (a missing role answers the same, by design). */
function isPasswordRefused(error: unknown): boolean {
  return (error as { code?: unknown }).code === '28P01';
}
