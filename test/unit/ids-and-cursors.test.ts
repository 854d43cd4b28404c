import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/domain/errors.js';
import { requireApplicationId, requireStatusChangeId, requireUuid } from '../../src/domain/ids.js';
import { LeadCursors } from '../../src/graphql/cursor.js';

function errorOf(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('page cursors', () => {
  const cursors = new LeadCursors(randomBytes(32));

  it('round-trip the page key for the tenant they were made for', () => {
    expect(cursors.decode('acme', cursors.encode('acme', '42'), 'after')).toBe('42');
    expect(cursors.decode('acme', cursors.encode('acme', '9223372036854775807'), 'after')).toBe('9223372036854775807');
  });

  it('are stable (the same lead, the same cursor) and show no position', () => {
    expect(cursors.encode('acme', '40')).toBe(cursors.encode('acme', '40'));
    const cursor = cursors.encode('acme', '40');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(cursor).not.toBe(Buffer.from('lead:40').toString('base64url'));
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain('lead:');
    // Neighbours do not look like neighbours.
    expect(cursors.encode('acme', '41').slice(0, 4)).not.toBe(cursor.slice(0, 4));
  });

  it('are, one after another and across tenants, exactly the single-block encryption the format defines', () => {
    // The format (cursor.ts): AES-256-ECB of seq (8 bytes, big-endian) and the tenant's 8-byte HMAC tag,
    // keys from HKDF of the secret. Cursors issued before the shared cipher must be the ones issued now.
    const secret = randomBytes(32);
    const reused = new LeadCursors(secret);
    const key = (info: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
    const single = (tenant: string, seq: bigint) => {
      const block = Buffer.alloc(16);
      block.writeBigUInt64BE(seq, 0);
      createHmac('sha256', key('leadgraph lead cursor tenant tag')).update(tenant).digest().subarray(0, 8).copy(block, 8);
      const cipher = createCipheriv('aes-256-ecb', key('leadgraph lead cursor block'), null).setAutoPadding(false);
      return Buffer.concat([cipher.update(block), cipher.final()]).toString('base64url');
    };
    for (let seq = 1n; seq <= 300n; seq++) {
      for (const tenant of ['acme', 'globex']) expect(reused.encode(tenant, String(seq * 7919n))).toBe(single(tenant, seq * 7919n));
    }
  });

  it("refuse another tenant's cursor, and one made under another installation's secret", () => {
    expect(errorOf(() => cursors.decode('globex', cursors.encode('acme', '40'), 'after')).field).toBe('after');
    expect(errorOf(() => cursors.decode('acme', new LeadCursors(randomBytes(32)).encode('acme', '40'), 'after')).field).toBe('after');
  });

  it.each([
    '',
    'not a cursor',
    '!!!!',
    // The old format: base64url of "lead:<seq>", a global position in clear.
    Buffer.from('lead:40').toString('base64url'),
    // The one that overflowed PostgreSQL's bigint.
    Buffer.from('lead:9999999999999999999').toString('base64url'),
    'A'.repeat(22),
    'x'.repeat(200),
  ])('refuses %j, naming the argument', (cursor) => {
    const error = errorOf(() => cursors.decode('acme', cursor, 'after'));
    expect(error.kind).toBe('INVALID_INPUT');
    expect(error.field).toBe('after');
    expect(error.message).toMatch(/^after: expected a cursor returned by a previous page, but got /);
  });
});

describe('id formats', () => {
  it('accepts UUIDs in any case and answers them lower-cased', () => {
    expect(requireUuid('3C90C3CC-0D44-4B50-8888-8DD25736052A', 'id')).toBe('3c90c3cc-0d44-4b50-8888-8dd25736052a');
  });

  it.each(['', 'abc', '3c90c3cc-0d44-4b50-8888-8dd25736052', "'; DROP TABLE lead; --"])('refuses the UUID %j', (value) => {
    expect(errorOf(() => requireUuid(value, 'input.leadId')).message).toMatch(/^input\.leadId: expected a UUID, but got /);
  });

  it('holds application ids to Lead Bank’s pattern', () => {
    expect(requireApplicationId('application_xyz123', 'id')).toBe('application_xyz123');
    for (const bad of ['application_', 'app_1', 'application_a-b', ' application_x']) {
      expect(errorOf(() => requireApplicationId(bad, 'id')).field).toBe('id');
    }
  });

  it('accepts status change ids that fit a bigint, and nothing else', () => {
    expect(requireStatusChangeId('0', 'after')).toBe('0');
    expect(requireStatusChangeId('9223372036854775807', 'after')).toBe('9223372036854775807');
    for (const bad of ['-1', '01', '1.5', 'abc', '9223372036854775808', '']) {
      expect(errorOf(() => requireStatusChangeId(bad, 'after')).field).toBe('after');
    }
  });

  it('cuts long values in messages', () => {
    const message = errorOf(() => requireUuid('x'.repeat(10_000), 'id')).message;
    expect(message.length).toBeLessThan(200);
  });
});
