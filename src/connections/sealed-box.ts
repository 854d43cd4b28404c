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
 * Seals small secrets for storage with `CONNECTIONS_KEY`: AES-256-GCM, a random nonce
 * per value, and the value's owner as associated data, so a sealed value copied to
 * another tenant's row does not open there. Layout: version byte, nonce, tag, ciphertext.
 */
export class SealedBox {
  readonly #key: Buffer;

  constructor(key: Secret) {
    this.#key = decodeKey(key.reveal());
  }

  seal(plaintext: string, owner: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(owner, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), ciphertext]);
  }

  open(sealed: Buffer, owner: string): string {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== VERSION) throw new UnsealError('not a sealed value of this version');
    const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
    const tag = sealed.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce);
    decipher.setAAD(Buffer.from(owner, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new UnsealError('the value does not open with CONNECTIONS_KEY (another key, or a value moved or altered)');
    }
  }
}

/** `CONNECTIONS_KEY`: 32 random bytes, as 64 hex digits or base64 (`openssl rand -base64 32`). Unset: no connections. */
export function connectionsKey(env: Env): Secret | undefined {
  const raw = optional(env, 'CONNECTIONS_KEY');
  if (raw === undefined) return undefined;
  try {
    decodeKey(raw);
  } catch {
    throw new ConfigError('CONNECTIONS_KEY', '32 random bytes as 64 hex digits or base64 (openssl rand -base64 32)', `${raw.length} characters`);
  }
  return new Secret(raw);
}

function decodeKey(raw: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : /^[A-Za-z0-9+/]{43}=$/.test(raw) ? Buffer.from(raw, 'base64') : undefined;
  if (key?.length !== 32) throw new Error('not a 256-bit key');
  return key;
}
