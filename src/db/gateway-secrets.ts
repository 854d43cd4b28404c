import { randomBytes } from 'node:crypto';

/** What {@link gatewaySecret} needs of a database: TypeORM's DataSource, or a pg pool's rows. */
export interface SqlRunner {
  query<T = unknown[]>(sql: string, parameters: unknown[]): Promise<T>;
}

/** Names of the secrets an installation shares across its instances. */
export type GatewaySecretName = 'lead-cursor';

/**
 * The installation's secret called `name`: made (32 random bytes) by the first instance
 * that asks, read by every other. `ON CONFLICT DO NOTHING` then a read, so instances
 * starting together agree on the one that was stored first.
 */
export async function gatewaySecret(db: SqlRunner, name: GatewaySecretName): Promise<Buffer> {
  await db.query(`INSERT INTO gateway_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, randomBytes(32)]);
  const [row] = await db.query<Array<{ value: Buffer }>>(`SELECT value FROM gateway_secret WHERE name = $1`, [name]);
  if (row === undefined) throw new Error(`the gateway secret "${name}" could not be stored`);
  return row.value;
}
