import { type RoleCredentials } from './credentials.js';

/** `postgres://role:password@127.0.0.1:port/database`: the embedded server listens on loopback only. */
export function clusterUrl(port: number, role: RoleCredentials, database: string): string {
  const url = new URL(`postgres://127.0.0.1:${port}/`);
  url.username = encodeURIComponent(role.name);
  url.password = encodeURIComponent(role.password);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}
