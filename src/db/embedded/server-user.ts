import { execFile } from 'node:child_process';
import { type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The account PostgreSQL runs as when leadgraph runs as root: PostgreSQL refuses to
 * run as root, so its programs and data must be reachable by this user.
 */
export interface ServerUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  /** Every group the user is in, its primary group included. */
  readonly groups: readonly number[];
}

const SERVER_USER = 'postgres';

/**
 * `undefined` when this process is not root (PostgreSQL then runs as the current
 * user); as root, the `postgres` user, created as a system account when missing
 * (a fresh container has none).
 */
export async function serverUserForRoot(): Promise<ServerUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookUp(SERVER_USER);
  if (existing !== undefined) return existing;
  try {
    await run('groupadd', ['--force', '--system', SERVER_USER]);
    await run('useradd', ['--system', '--gid', SERVER_USER, '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_USER]);
  } catch (error) {
    throw new Error(`there is no "${SERVER_USER}" user to run PostgreSQL as, and creating one failed (${firstLine(error)})`, { cause: error });
  }
  const created = await lookUp(SERVER_USER);
  if (created === undefined) throw new Error(`the "${SERVER_USER}" user was created but cannot be looked up`);
  return created;
}

async function lookUp(name: string): Promise<ServerUser | undefined> {
  try {
    const [uid, gid, groups] = await Promise.all(
      ['-u', '-g', '-G'].map(async (flag) => (await run('id', [flag, name])).stdout.trim()),
    );
    return {
      name,
      uid: Number(uid),
      gid: Number(gid),
      groups: (groups ?? '').split(/\s+/).filter(Boolean).map(Number),
    };
  } catch {
    return undefined;
  }
}

/**
 * The first existing directory on the way to `target` (inclusive) that `user` may not
 * enter, or `undefined` when the whole path is open to it. Directories that do not
 * exist yet are skipped: leadgraph creates them, readable by all. Only mode bits are
 * read: an ACL can only grant more, so at worst a path is staged that need not be.
 */
export async function firstBlockedDirectory(user: ServerUser, target: string): Promise<string | undefined> {
  const absolute = path.resolve(target);
  const chain: string[] = [];
  for (let dir = absolute; ; dir = path.dirname(dir)) {
    chain.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    const stat = await fs.stat(dir).catch(() => undefined);
    if (stat === undefined) return undefined;
    if (!stat.isDirectory() || !permits(stat, user, EXECUTE)) return dir;
  }
  return undefined;
}

const EXECUTE = 1;

function permits(stat: Stats, user: ServerUser, bit: number): boolean {
  if (stat.uid === user.uid) return ((stat.mode >> 6) & bit) === bit;
  if (user.groups.includes(stat.gid)) return ((stat.mode >> 3) & bit) === bit;
  return (stat.mode & bit) === bit;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? ((error as { stderr?: string }).stderr?.trim() || error.message) : String(error);
  return text.split('\n')[0] ?? text;
}
