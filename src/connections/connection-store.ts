import { type DataSource } from 'typeorm';
import { ConfigError, type Env } from '../config-env.js';
import { type AnyProviderDescriptor, type ProviderId, type ProviderRegistry } from '../providers/index.js';
import { connectionSettings, providerVariables, withoutCredentials } from '../providers/provider-settings.js';
import { ENVIRONMENT_TENANT } from './provider-accounts.js';
import { type SealedBox } from './sealed-box.js';

/** A connection as listed: never its credentials. */
export interface ConnectionSummary {
  readonly tenantId: string;
  readonly provider: ProviderId;
  /** Without any credentials it may carry. */
  readonly baseUrl: string;
  /** 1 when created, one more at each rotation. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A connection's variables, opened, at the version they were read. */
export interface OpenedConnection {
  readonly version: number;
  readonly variables: Readonly<Record<string, string>>;
}

/** Why a connection was not removed: dispatches still to send with it. */
export class ConnectionInUse extends Error {
  override name = 'ConnectionInUse';
  constructor(readonly pending: number) {
    super(`${pending} dispatch${pending === 1 ? ' is' : 'es are'} still pending on this connection: remove it once they have settled`);
  }
}

/** Connections that open with none of the keys given: which, never their contents. */
export class UnopenableConnections extends Error {
  override name = 'UnopenableConnections';
  constructor(readonly connections: ReadonlyArray<{ readonly tenantId: string; readonly provider: string }>) {
    super(
      `${connections.length} stored connection${connections.length === 1 ? ' does' : 's do'} not open with CONNECTIONS_KEY or CONNECTIONS_KEY_PREVIOUS: ` +
        connections.map((c) => `${c.tenantId}/${c.provider}`).join(', '),
    );
  }
}

/** What `rekey` did. */
export interface RekeyOutcome {
  /** Sealed with a previous key, now with `CONNECTIONS_KEY`. */
  readonly resealed: number;
  /** Already sealed with `CONNECTIONS_KEY`. */
  readonly current: number;
}

interface SealedRow {
  tenant_id: string;
  provider: string;
  sealed: Buffer;
}

interface ConnectionRow {
  tenant_id: string;
  provider: string;
  base_url: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * Tenants' provider connections (table `provider_connection`): what a tenant's account
 * at a provider is, as the provider's own variables, sealed. Checked with the
 * provider's descriptor before anything is stored, so a connection that is kept is one
 * the gateway can connect with.
 */
export class ConnectionStore {
  constructor(
    private readonly db: DataSource,
    private readonly registry: ProviderRegistry,
    /** Undefined without `CONNECTIONS_KEY`: connections can then be listed and removed, not set or opened. */
    private readonly box: SealedBox | undefined,
  ) {}

  /**
   * Creates the tenant's connection to `providerId`, or rotates it (a new version):
   * dispatch attempts claimed from then on send with it, the ones in flight finish
   * with the version they started with. `env`'s variables of the provider (its prefix's)
   * are what is kept.
   */
  async set(tenantId: string, providerId: string, env: Env): Promise<ConnectionSummary> {
    const provider = this.provider(providerId);
    // It would never be used: that tenant's calls go out with the environment's settings.
    if (tenantId === ENVIRONMENT_TENANT) {
      throw new ConfigError('--tenant', `a tenant other than "${ENVIRONMENT_TENANT}", whose accounts are the gateway's own provider settings (its environment)`, JSON.stringify(tenantId));
    }
    const variables = providerVariables(env, provider);
    // Every descriptor's settings carry the base URL they were read with.
    const settings = connectionSettings(variables, provider) as { baseUrl: URL };
    // Its webhook variables too (a secret too short, …), read as its webhook routes will.
    provider.webhooks?.read(variables);
    const box = this.requireBox();
    const baseUrl = withoutCredentials(settings.baseUrl);
    const [row] = await this.db.query<ConnectionRow[]>(
      `INSERT INTO provider_connection (tenant_id, provider, base_url, sealed) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, provider) DO UPDATE
         SET base_url = EXCLUDED.base_url, sealed = EXCLUDED.sealed, version = provider_connection.version + 1, updated_at = now()
       RETURNING tenant_id, provider, base_url, version, created_at, updated_at`,
      [tenantId, provider.id, baseUrl, box.seal(JSON.stringify(variables), ownerOf(tenantId, provider.id))],
    );
    return summaryOf(row!);
  }

  async list(tenantId?: string): Promise<ConnectionSummary[]> {
    const rows = await this.db.query<ConnectionRow[]>(
      `SELECT tenant_id, provider, base_url, version, created_at, updated_at FROM provider_connection
        WHERE $1::text IS NULL OR tenant_id = $1 ORDER BY tenant_id, provider`,
      [tenantId ?? null],
    );
    return rows.map(summaryOf);
  }

  /**
   * Removes the connection unless a dispatch of the tenant to the provider is still
   * pending (it would lose its account): `ConnectionInUse` then. False when there was none.
   */
  async remove(tenantId: string, providerId: string): Promise<boolean> {
    const provider = this.provider(providerId);
    return this.db.transaction(async (manager) => {
      const held = await manager.query<unknown[]>(`SELECT 1 FROM provider_connection WHERE tenant_id = $1 AND provider = $2 FOR UPDATE`, [tenantId, provider.id]);
      if (held.length === 0) return false;
      const [pending] = await manager.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM dispatch WHERE tenant_id = $1 AND provider = $2 AND state = 'PENDING'`,
        [tenantId, provider.id],
      );
      if ((pending?.n ?? 0) > 0) throw new ConnectionInUse(pending!.n);
      await manager.query(`DELETE FROM provider_connection WHERE tenant_id = $1 AND provider = $2`, [tenantId, provider.id]);
      return true;
    });
  }

  /** The connection's variables, opened; undefined when the tenant has none for the provider. */
  async open(tenantId: string, providerId: ProviderId): Promise<OpenedConnection | undefined> {
    const [row] = await this.db.query<Array<{ version: number; sealed: Buffer }>>(
      `SELECT version, sealed FROM provider_connection WHERE tenant_id = $1 AND provider = $2`,
      [tenantId, providerId],
    );
    if (row === undefined) return undefined;
    const variables = JSON.parse(this.requireBox().open(row.sealed, ownerOf(tenantId, providerId))) as Record<string, string>;
    return { version: row.version, variables };
  }

  /** The connection's current version; undefined when the tenant has none for the provider. */
  async version(tenantId: string, providerId: ProviderId): Promise<number | undefined> {
    const [row] = await this.db.query<Array<{ version: number }>>(`SELECT version FROM provider_connection WHERE tenant_id = $1 AND provider = $2`, [
      tenantId,
      providerId,
    ]);
    return row?.version;
  }

  /**
   * Seals every connection sealed with a previous key (`CONNECTIONS_KEY_PREVIOUS`)
   * anew with `CONNECTIONS_KEY`, in one transaction: when one opens with no key, none
   * is changed (`UnopenableConnections`). The version stays: the account is the same.
   * Rows are locked meanwhile, so a rotation waits for it rather than be overwritten.
   */
  async rekey(): Promise<RekeyOutcome> {
    const box = this.requireBox();
    return this.db.transaction(async (manager) => {
      const rows = await manager.query<SealedRow[]>(`SELECT tenant_id, provider, sealed FROM provider_connection ORDER BY tenant_id, provider FOR UPDATE`);
      assertOpen(box, rows);
      let resealed = 0;
      for (const row of rows) {
        const sealed = box.resealed(row.sealed, ownerOf(row.tenant_id, row.provider));
        if (sealed === undefined) continue;
        await manager.query(`UPDATE provider_connection SET sealed = $3 WHERE tenant_id = $1 AND provider = $2`, [row.tenant_id, row.provider, sealed]);
        resealed++;
      }
      return { resealed, current: rows.length - resealed };
    });
  }

  /**
   * Fails with `UnopenableConnections` when a stored connection opens with none of the
   * keys (a key mistyped, or replaced without `CONNECTIONS_KEY_PREVIOUS`): a gateway
   * checks this before it starts, rather than fail each of those tenants' calls later.
   */
  async assertAllOpen(): Promise<void> {
    const box = this.requireBox();
    assertOpen(box, await this.db.query<SealedRow[]>(`SELECT tenant_id, provider, sealed FROM provider_connection ORDER BY tenant_id, provider`));
  }

  /** How many connections are stored (a gateway holding some needs `CONNECTIONS_KEY`). */
  async count(): Promise<number> {
    const [row] = await this.db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM provider_connection`);
    return row?.n ?? 0;
  }

  private provider(providerId: string): AnyProviderDescriptor {
    if (!this.registry.ids.includes(providerId)) throw new ConfigError('--provider', `one of ${this.registry.ids.join(', ')}`, JSON.stringify(providerId));
    return this.registry.descriptorOf(providerId);
  }

  private requireBox(): SealedBox {
    if (this.box === undefined) throw new ConfigError('CONNECTIONS_KEY', 'a key to seal connections with (openssl rand -base64 32)', 'nothing');
    return this.box;
  }
}

/** `UnopenableConnections` naming every row that opens with none of `box`'s keys. */
function assertOpen(box: SealedBox, rows: readonly SealedRow[]): void {
  const unopenable = rows.filter((row) => !box.opens(row.sealed, ownerOf(row.tenant_id, row.provider)));
  if (unopenable.length > 0) throw new UnopenableConnections(unopenable.map((row) => ({ tenantId: row.tenant_id, provider: row.provider })));
}

/** What a sealed connection is bound to: it opens only in its own row. */
function ownerOf(tenantId: string, providerId: ProviderId): string {
  return `provider_connection\n${tenantId}\n${providerId}`;
}

function summaryOf(row: ConnectionRow): ConnectionSummary {
  return { tenantId: row.tenant_id, provider: row.provider, baseUrl: row.base_url, version: row.version, createdAt: row.created_at, updatedAt: row.updated_at };
}
