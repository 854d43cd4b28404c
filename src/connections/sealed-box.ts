import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError, type Env, optional, Secret } from '../config-env.js';

/** AES-256-GCM: the nonce's and the tag's sizes, as NIST SP 800-38D recommends them. */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 1;

/** Thrown when a sealed value cannot be opened: another key, or a value moved to another row, or altered. */
export class UnsealError extends Error {
  override name = 'UnsealError';
}

/**
 * The keys connections are sealed with: `CONNECTIONS_KEY` seals, and it or any of
 * `CONNECTIONS_KEY_PREVIOUS` opens, so the key can be replaced without a moment in
 * which stored connections do not open (`leadgraph connections rekey` then reseals
 * them with the new one).
 */
export interface ConnectionsKeys {
  readonly current: Secret;
  /** Keys that still open, never seal: the ones being replaced. */
  readonly previous: readonly Secret[];
}

/**
 * Seals small secrets for storage with `CONNECTIONS_KEY`: AES-256-GCM, a random nonce
 * per value, and the value's owner as associated data, so a sealed value copied to
 * another tenant's row does not open there. Layout: version byte, nonce, tag, ciphertext.
 * (No key id in the layout: GCM's tag tells whether a key is the one, so opening with
 * a previous key is one more tag check, and a value reveals nothing of its key.)
 */
export class SealedBox {
  readonly #key: Buffer;
  readonly #previous: readonly Buffer[];

  constructor(keys: ConnectionsKeys | Secret) {
    const { current, previous } = keys instanceof Secret ? { current: keys, previous: [] } : keys;
    this.#key = decodeKey(current.reveal());
    this.#previous = previous.map((key) => decodeKey(key.reveal()));
  }

  seal(plaintext: string, owner: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(owner, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), ciphertext]);
  }

  /** The value, opened with `CONNECTIONS_KEY` or a previous key. */
  open(sealed: Buffer, owner: string): string {
    return this.opened(sealed, owner).plaintext;
  }

  /** Whether the value opens with `CONNECTIONS_KEY` or a previous key (with `owner`). */
  opens(sealed: Buffer, owner: string): boolean {
    try {
      this.opened(sealed, owner);
      return true;
    } catch (error) {
      if (error instanceof UnsealError) return false;
      throw error;
    }
  }

  /**
   * The value sealed anew with `CONNECTIONS_KEY` when it was sealed with a previous
   * key; undefined when it already is sealed with the current one.
   */
  resealed(sealed: Buffer, owner: string): Buffer | undefined {
    const { plaintext, withCurrent } = this.opened(sealed, owner);
    return withCurrent ? undefined : this.seal(plaintext, owner);
  }

  private opened(sealed: Buffer, owner: string): { plaintext: string; withCurrent: boolean } {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw new UnsealError('not a sealed value of this version');
    const withCurrent = openWith(this.#key, sealed, owner);
    if (withCurrent !== undefined) return { plaintext: withCurrent, withCurrent: true };
    for (const key of this.#previous) {
      const plaintext = openWith(key, sealed, owner);
      if (plaintext !== undefined) return { plaintext, withCurrent: false };
    }
    throw new UnsealError('the value does not open with CONNECTIONS_KEY or CONNECTIONS_KEY_PREVIOUS (another key, or a value moved or altered)');
  }
}

/** The plaintext, or undefined when the tag does not check with this key (and owner). */
function openWith(key: Buffer, sealed: Buffer, owner: string): string | undefined {
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const tag = sealed.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(owner, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

const KEY_FORMAT = '32 random bytes as 64 hex digits or base64 (openssl rand -base64 32)';

/**
 * `CONNECTIONS_KEY`, 32 random bytes as 64 hex digits or base64 (`openssl rand -base64 32`),
 * and `CONNECTIONS_KEY_PREVIOUS`, the keys being replaced (comma-separated). Unset: no connections.
 */
export function connectionsKeys(env: Env): ConnectionsKeys | undefined {
  const raw = optional(env, 'CONNECTIONS_KEY');
  const previousRaw = optional(env, 'CONNECTIONS_KEY_PREVIOUS');
  if (raw === undefined) {
    if (previousRaw !== undefined) throw new ConfigError('CONNECTIONS_KEY', 'the new key, beside CONNECTIONS_KEY_PREVIOUS (the keys it replaces)', 'nothing');
    return undefined;
  }
  const current = checkedKey('CONNECTIONS_KEY', raw);
  const previous = (previousRaw ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '')
    .map((key) => checkedKey('CONNECTIONS_KEY_PREVIOUS', key));
  return { current, previous };
}

function checkedKey(name: string, raw: string): Secret {
  try {
    decodeKey(raw);
  } catch {
    // The length only: a key's characters are never echoed.
    throw new ConfigError(name, KEY_FORMAT, `${raw.length} characters`);
  }
  return new Secret(raw);
}

function decodeKey(raw: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : /^[A-Za-z0-9+/]{43}=$/.test(raw) ? Buffer.from(raw, 'base64') : undefined;
  if (key?.length !== 32) throw new Error('not a 256-bit key');
  return key;
}
