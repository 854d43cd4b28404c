import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { invalidInput } from '../domain/errors.js';

/** A cursor is one AES block: 16 bytes, 22 characters of base64url. */
const BLOCK_BYTES = 16;
const CURSOR_SHAPE = /^[A-Za-z0-9_-]{22}$/;
const MAX_SEQ = 9223372036854775807n;

/**
 * Page cursors for `leads`, opaque and bound to the tenant. The lead's position (`seq`,
 * a sequence shared by every tenant) must not be readable, or a tenant could count
 * everyone else's leads between two of its own; and a cursor must not work for
 * another tenant. So a cursor is one AES-256 block holding the position and a tag of
 * the tenant, under a key every instance shares (see gateway-secrets.ts): a single
 * block is a keyed pseudorandom permutation, deterministic, so a lead's cursor is the
 * same on every page and every instance. A cursor of another tenant, edited or from
 * before this format decrypts to a wrong tag and is refused as bad input.
 */
export class LeadCursors {
  private readonly blockKey: Buffer;
  private readonly tagKey: Buffer;

  /** `secret`: at least 32 random bytes, the same on every instance. */
  constructor(secret: Buffer) {
    this.blockKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'leadgraph lead cursor block', 32));
    this.tagKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'leadgraph lead cursor tenant tag', 32));
  }

  /** The cursor of the lead at `seq` in `tenantId`'s list. */
  encode(tenantId: string, seq: string): string {
    const block = Buffer.alloc(BLOCK_BYTES);
    block.writeBigUInt64BE(BigInt(seq), 0);
    this.tenantTag(tenantId).copy(block, 8);
    const cipher = createCipheriv('aes-256-ecb', this.blockKey, null).setAutoPadding(false);
    return Buffer.concat([cipher.update(block), cipher.final()]).toString('base64url');
  }

  /** The `seq` inside a cursor this gateway issued to `tenantId`; a bad-input error naming `field` otherwise. */
  decode(tenantId: string, cursor: string, field: string): string {
    const refused = () => invalidInput(field, 'a cursor returned by a previous page', cursor);
    if (!CURSOR_SHAPE.test(cursor)) throw refused();
    const decipher = createDecipheriv('aes-256-ecb', this.blockKey, null).setAutoPadding(false);
    const block = Buffer.concat([decipher.update(Buffer.from(cursor, 'base64url')), decipher.final()]);
    if (!timingSafeEqual(block.subarray(8), this.tenantTag(tenantId))) throw refused();
    const seq = block.readBigUInt64BE(0);
    if (seq < 1n || seq > MAX_SEQ) throw refused();
    return seq.toString();
  }

  private tenantTag(tenantId: string): Buffer {
    return createHmac('sha256', this.tagKey).update(tenantId).digest().subarray(0, 8);
  }
}
