import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Logger } from '../../logger.js';
import { type PostgresBinaries } from './binaries.js';
import { firstBlockedDirectory, type ServerUser } from './server-user.js';

/**
 * Where, as root, leadgraph puts the embedded PostgreSQL's programs and data when the
 * `postgres` user cannot reach the ones it was given: a clone in root's home (mode
 * 0700) is the usual case. The directory is made for it, open to that user, and
 * outside any home; state that outlives a restart belongs under /var/lib.
 */
export const ROOT_RUNTIME_DIR = '/var/lib/leadgraph';

/** The programs to run and the data directory to run them on. */
export interface ServerPlacement {
  readonly binaries: PostgresBinaries;
  readonly dataDir: string;
}

/** Thrown when the server user cannot be given what it needs; the message says what to do instead. */
export class PlacementError extends Error {
  override name = 'PlacementError';
}

/** Options for {@link placeForServerUser}. */
export interface PlacementOptions {
  readonly binaries: PostgresBinaries;
  readonly dataDir: string;
  readonly user: ServerUser;
  /** {@link ROOT_RUNTIME_DIR} unless a test says otherwise. */
  readonly runtimeDir: string;
  readonly logger: Logger;
}

/**
 * Keeps the given binaries and data directory where the server user can reach them,
 * and otherwise stages a copy of the binaries (once per PostgreSQL build) and moves
 * the data directory under {@link PlacementOptions.runtimeDir}. The same configured
 * data directory always maps to the same place, so restarts and one-off commands
 * find the cluster again.
 */
export async function placeForServerUser(options: PlacementOptions): Promise<ServerPlacement> {
  const { user, runtimeDir, logger } = options;
  const binariesBlockedAt = await firstBlockedDirectory(user, path.join(options.binaries.root, 'bin'));
  const dataBlockedAt = await firstBlockedDirectory(user, path.dirname(path.resolve(options.dataDir)));
  if (binariesBlockedAt === undefined && dataBlockedAt === undefined) return options;

  const blocked = (binariesBlockedAt ?? dataBlockedAt) as string;
  const why = `as root, PostgreSQL runs as the "${user.name}" user, which cannot enter ${blocked}`;
  try {
    await openDirectory(runtimeDir);
  } catch (error) {
    throw new PlacementError(`${why}, and ${runtimeDir} cannot be prepared for it (${describe(error)}). ${WHAT_TO_DO}`);
  }
  const runtimeBlockedAt = await firstBlockedDirectory(user, runtimeDir);
  if (runtimeBlockedAt !== undefined) {
    throw new PlacementError(`${why}, nor ${runtimeBlockedAt} on the way to ${runtimeDir}. ${WHAT_TO_DO}`);
  }

  let binaries = options.binaries;
  if (binariesBlockedAt !== undefined) {
    try {
      binaries = await stageBinaries(options.binaries, runtimeDir);
    } catch (error) {
      throw new PlacementError(`${why}, and copying PostgreSQL to ${runtimeDir} failed (${describe(error)}). ${WHAT_TO_DO}`);
    }
    logger.info({ from: options.binaries.root, to: binaries.root }, `PostgreSQL's programs are run from a copy the "${user.name}" user can reach`);
  }

  let dataDir = options.dataDir;
  if (dataBlockedAt !== undefined) {
    dataDir = relocatedDataDir(options.dataDir, runtimeDir);
    try {
      await openDirectory(path.dirname(dataDir));
    } catch (error) {
      throw new PlacementError(`${why}, and ${path.dirname(dataDir)} cannot be prepared for it (${describe(error)}). ${WHAT_TO_DO}`);
    }
    logger.warn(
      { configured: path.resolve(options.dataDir), dataDir },
      `the embedded PostgreSQL keeps its data in ${dataDir}: the "${user.name}" user cannot enter ${dataBlockedAt}`,
    );
  }
  return { binaries, dataDir };
}

const WHAT_TO_DO =
  'Set DATABASE_URL to an external PostgreSQL, set LEADGRAPH_DATA_DIR to a directory the postgres user can reach, or run leadgraph as a user other than root.';

/** One directory per configured path: its last name for the reader, a hash of the whole path for uniqueness. */
export function relocatedDataDir(configured: string, runtimeDir: string): string {
  const absolute = path.resolve(configured);
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 12);
  const name = path.basename(absolute).replace(/[^A-Za-z0-9._-]/g, '_') || 'data';
  return path.join(runtimeDir, 'data', `${name}-${hash}`);
}

/**
 * Copies the `native` directory once per build. The copy is made beside its final
 * name and renamed into place, so a directory under that name is always complete,
 * even with two processes staging at once.
 */
async function stageBinaries(binaries: PostgresBinaries, runtimeDir: string): Promise<PostgresBinaries> {
  const target = path.join(runtimeDir, `postgres-${binaries.version}`);
  const staged = { root: target, version: binaries.version };
  if (await exists(target)) return staged;
  const partial = `${target}.partial-${process.pid}`;
  await fs.rm(partial, { recursive: true, force: true });
  // Relative symlinks (lib/libpq.so -> libpq.so.5, …) stay valid in the copy.
  await fs.cp(binaries.root, partial, { recursive: true, verbatimSymlinks: true });
  await fs.chmod(partial, 0o755);
  try {
    await fs.rename(partial, target);
  } catch (error) {
    await fs.rm(partial, { recursive: true, force: true });
    if (!(await exists(target))) throw error;
  }
  return staged;
}

/** Creates `dir` if needed and opens it to every user for traversal and reading (not writing). */
async function openDirectory(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.chmod(dir, 0o755); // a umask of 077 would otherwise close it again
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ?? (error instanceof Error ? error.message : String(error));
}
