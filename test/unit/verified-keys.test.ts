import { describe, expect, it } from 'vitest';
import { type Principal } from '../../src/domain/roles.js';
import { VerifiedKeys } from '../../src/auth/verified-keys.js';

const principal = (id: string): Principal => ({ tenantId: 't1', role: 'viewer', credential: { kind: 'api-key', id } });

function keys(capacity = 10) {
  let now = 1_000;
  const verified = new VerifiedKeys({ trustForMs: 5_000, capacity, now: () => now });
  return { verified, advance: (ms: number) => void (now += ms) };
}

describe('VerifiedKeys', () => {
  it('trusts a check for its period, and not a millisecond longer', () => {
    const { verified, advance } = keys();
    verified.remember('h1', principal('k1'), null, verified.begin());
    advance(4_999);
    expect(verified.get('h1')).toEqual(principal('k1'));
    advance(1);
    expect(verified.get('h1')).toBeUndefined();
  });

  it("ends at the key's expiry when that comes first, counted from when the check began", () => {
    const { verified, advance } = keys();
    const began = verified.begin();
    advance(100); // the database's answer took 100 ms; it said 1,000 ms were left when it read its clock
    verified.remember('h1', principal('k1'), 1_000, began);
    advance(899);
    expect(verified.get('h1')).toBeDefined();
    advance(1);
    expect(verified.get('h1')).toBeUndefined();
  });

  it('does not remember a check that began before a revocation on this instance', () => {
    const { verified } = keys();
    const began = verified.begin();
    verified.forget('h1'); // revoked (and committed) while the check was in flight
    verified.remember('h1', principal('k1'), null, began);
    expect(verified.get('h1')).toBeUndefined();
  });

  it('forgets keys by id when a socket check finds them revoked', () => {
    const { verified } = keys();
    verified.remember('h1', principal('k1'), null, verified.begin());
    verified.remember('h2', principal('k2'), null, verified.begin());
    verified.forgetIds(new Set(['k1']));
    expect(verified.get('h1')).toBeUndefined();
    expect(verified.get('h2')).toBeDefined();
  });

  it('holds at most its capacity, forgetting the least recently used', () => {
    const { verified } = keys(2);
    verified.remember('h1', principal('k1'), null, verified.begin());
    verified.remember('h2', principal('k2'), null, verified.begin());
    expect(verified.get('h1')).toBeDefined(); // h1 used last: h2 is the oldest now
    verified.remember('h3', principal('k3'), null, verified.begin());
    expect(verified.size).toBe(2);
    expect(verified.get('h2')).toBeUndefined();
    expect(verified.get('h1')).toBeDefined();
    expect(verified.get('h3')).toBeDefined();
  });
});
