import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Logger } from '../../logger.js';
import { initdbPath, postgresPath, type PostgresBinaries } from './binaries.js';
import { type ServerUser } from './server-user.js';

/** What every PostgreSQL program of one cluster is run with. */
export interface ClusterProcessOptions {
  readonly binaries: PostgresBinaries;
  readonly dataDir: string;
  /** The user to run as (when this process is root); the current user when undefined. */
  readonly runAs: ServerUser | undefined;
  readonly logger: Logger;
}

/** A PostgreSQL server process this process started. */
export interface ServerProcess {
  readonly pid: number;
  /** Fast shutdown (SIGINT: open transactions roll back, a checkpoint is written); resolves once the process is gone. */
  stop(): Promise<void>;
}

/** Thrown when `initdb` or `postgres` fails; the message carries PostgreSQL's own words. */
export class ClusterProcessError extends Error {
  override name = 'ClusterProcessError';
}

/** The readiness line is matched in English whatever the machine's locale. */
const ENGLISH = { LC_MESSAGES: 'C', LC_ALL: 'C' };
const READY = 'database system is ready to accept connections';

/** Creates a cluster in an empty (or missing) data directory, owned by the server user. */
export async function initCluster(
  options: ClusterProcessOptions & { readonly superuser: string; readonly password: string },
): Promise<void> {
  const { dataDir, runAs } = options;
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (runAs !== undefined) await fs.chown(dataDir, runAs.uid, runAs.gid);
  // initdb reads the password from a file; only the server user may read it, and only briefly.
  const passwordDir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-initdb-'));
  const passwordFile = path.join(passwordDir, 'password');
  try {
    await fs.writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
    if (runAs !== undefined) {
      await fs.chown(passwordDir, runAs.uid, runAs.gid);
      await fs.chown(passwordFile, runAs.uid, runAs.gid);
    }
    const child = spawnProgram(initdbPath(options.binaries), [
      `--pgdata=${dataDir}`,
      `--username=${options.superuser}`,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
    ], options);
    const output = collect(child);
    const [code, signal] = (await exited(child)) as [number | null, NodeJS.Signals | null];
    if (code !== 0) {
      throw new ClusterProcessError(`initdb failed (${signal ?? `exit code ${code}`}): ${tail(output())}`);
    }
  } finally {
    await fs.rm(passwordDir, { recursive: true, force: true });
  }
}

/**
 * Starts `postgres` on an initialised data directory, listening on 127.0.0.1 only,
 * and resolves once it accepts connections.
 */
export async function startServer(options: ClusterProcessOptions & { readonly port: number }): Promise<ServerProcess> {
  const { logger } = options;
  const child = spawnProgram(postgresPath(options.binaries), [
    '-D', options.dataDir,
    '-p', String(options.port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'unix_socket_directories=',
  ], options);
  const output = collect(child);
  const gone = exited(child);

  // The last resort for a process that exits without stopping its server (an uncaught
  // error): a synchronous signal, since nothing asynchronous runs during 'exit'. It
  // never touches the exit code, and `stop()` removes it.
  const stopOnExit = () => child.kill('SIGINT');
  process.on('exit', stopOnExit);

  const ready = new Promise<void>((resolve) => {
    const onData = () => {
      if (output().includes(READY)) {
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
  });
  const outcome = await Promise.race([ready.then(() => 'ready' as const), gone.then(() => 'exited' as const)]);
  if (outcome === 'exited') {
    process.off('exit', stopOnExit);
    throw new ClusterProcessError(`PostgreSQL exited while starting: ${tail(output())}`);
  }
  // Keep draining its log (a full pipe would block the server), for `LOG_LEVEL=trace`.
  child.stderr?.on('data', (chunk: Buffer) => logger.trace({ postgres: chunk.toString('utf8').trim() }, 'embedded postgres'));

  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid as number,
    stop: () =>
      (stopping ??= (async () => {
        process.off('exit', stopOnExit);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        await gone;
      })()),
  };
}

function spawnProgram(program: string, args: string[], options: ClusterProcessOptions): ChildProcess {
  const { runAs } = options;
  const child = spawn(program, args, {
    // The server user may not be able to enter our working directory (root's home).
    cwd: path.dirname(options.dataDir),
    env: { ...process.env, ...ENGLISH },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C at a terminal signals the whole foreground group,
    // and the database must outlive the gateway's drain; the gateway stops it last.
    detached: true,
    ...(runAs === undefined ? {} : { uid: runAs.uid, gid: runAs.gid }),
  });
  return child;
}

/** Resolves with [code, signal] once the process has exited, or rejects if it could not be spawned. */
function exited(child: ChildProcess): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve([code, signal]));
  });
}

/** Everything the process wrote so far, stdout and stderr together, capped at the last 16 KiB. */
function collect(child: ChildProcess): () => string {
  let text = '';
  const add = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-16_384);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text;
}

/** The last lines of a program's output, for an error message. */
function tail(output: string): string {
  const lines = output.trim().split('\n').filter(Boolean);
  return lines.slice(-5).join(' | ') || '(no output)';
}

