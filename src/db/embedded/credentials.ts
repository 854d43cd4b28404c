import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A PostgreSQL role and its password. */
export interface RoleCredentials {
  readonly name: string;
  readonly password: string;
}

/**
 * The passwords of one embedded cluster, made when its data directory is created and
 * kept in it, in a file only the user that runs the gateway may read.
 */
export interface ClusterCredentials {
  /** The bootstrap superuser: used only to set the cluster up (roles, the database, ownership). */
  readonly superuser: RoleCredentials;
  /** The role the gateway connects as: it owns the gateway's database and nothing more. */
  readonly owner: RoleCredentials;
}

/** Thrown when the credentials file exists but cannot be used; the message says what to do. */
export class CredentialsFileError extends Error {
  override name = 'CredentialsFileError';
}

const FILE_NAME = 'leadgraph-credentials.json';
const FORMAT = 1;

/** Where a data directory's credentials are: inside it, so they move and vanish with it. */
export function credentialsFile(dataDir: string): string {
  return path.join(dataDir, FILE_NAME);
}

/** Fresh random passwords (256 bits each) for the superuser `postgres` and the owner role `leadgraph`. */
export function generateCredentials(): ClusterCredentials {
  return {
    superuser: { name: 'postgres', password: randomPassword() },
    owner: { name: 'leadgraph', password: randomPassword() },
  };
}

/** base64url: no character that a URL, a SQL literal or a SASLprep step would change. */
function randomPassword(): string {
  return randomBytes(32).toString('base64url');
}

/** The credentials kept in `dataDir`, or `undefined` when it has no credentials file (a cluster made before they existed). */
export async function readCredentials(dataDir: string): Promise<ClusterCredentials | undefined> {
  const file = credentialsFile(dataDir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CredentialsFileError(`${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); run leadgraph as the user that created it.`);
  }
  const parsed = parse(text);
  if (parsed === undefined) {
    throw new CredentialsFileError(`${file} is not a leadgraph credentials file; restore the one made with this data directory, or set LEADGRAPH_DATA_DIR to a fresh directory.`);
  }
  return parsed;
}

function parse(text: string): ClusterCredentials | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const object = value as { format?: unknown; superuser?: unknown; owner?: unknown } | null;
  if (typeof object !== 'object' || object === null || object.format !== FORMAT) return undefined;
  const superuser = role(object.superuser);
  const owner = role(object.owner);
  return superuser && owner ? { superuser, owner } : undefined;
}

function role(value: unknown): RoleCredentials | undefined {
  const { name, password } = (value ?? {}) as { name?: unknown; password?: unknown };
  return typeof name === 'string' && /^[a-z_][a-z0-9_]*$/.test(name) && typeof password === 'string' && password.length >= 32
    ? { name, password }
    : undefined;
}

/**
 * Writes the credentials with mode 0600, owned by this process's user (as root, root:
 * the `postgres` user that runs the server never needs them). Written beside and
 * renamed into place, so the file is whole or absent, never half-written.
 */
export async function writeCredentials(dataDir: string, credentials: ClusterCredentials): Promise<void> {
  const file = credentialsFile(dataDir);
  const partial = `${file}.partial-${process.pid}`;
  await fs.rm(partial, { force: true });
  const handle = await fs.open(partial, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify({ format: FORMAT, ...credentials }, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(partial, file);
}
