import { describe, expect, it } from 'vitest';
import { ApplicationEntity } from '../../../src/db/entities/index.js';
import { applicationVerdict, placeApplication, sameApplication } from '../../../src/services/application-order.js';

const at = (second: number) => new Date(`2026-12-01T10:00:0${second}Z`);
const stored = (second: number | null, syncedAt: Date | null = new Date()) => ({ updatedAt: second === null ? null : at(second), syncedAt });

describe('placing a Lead Bank message against the stored application', () => {
  it.each([
    ['nothing stored', null, { updatedAt: at(1) }, 'first'],
    ['an adopted placeholder (never confirmed)', stored(5, null), { updatedAt: at(1) }, 'first'],
    ['a stored one without updated_at', stored(null), { updatedAt: at(1) }, 'first'],
    ['a later second', stored(2), { updatedAt: at(3) }, 'newer'],
    ['an earlier second', stored(2), { updatedAt: at(1) }, 'older'],
    ['the same second', stored(2), { updatedAt: at(2) }, 'same-instant'],
    ['no updated_at in the message', stored(2), { updatedAt: null }, 'unplaced'],
    ['an unreadable updated_at', stored(2), { updatedAt: null, absent: ['updatedAt' as const] }, 'unplaced'],
  ] as const)('%s', (_, current, incoming, placement) => {
    expect(placeApplication(current, incoming)).toBe(placement);
  });

  it.each([
    ['first', 'maybe-late', false, 'write'],
    ['newer', 'maybe-late', false, 'write'],
    ['older', 'answer', false, 'older'],
    ['older', 'maybe-late', false, 'older'],
    ['same-instant', 'answer', false, 'write'],
    ['unplaced', 'answer', false, 'write'],
    ['same-instant', 'maybe-late', true, 'unchanged'],
    ['same-instant', 'maybe-late', false, 'ask'],
    ['unplaced', 'maybe-late', false, 'ask'],
  ] as const)('%s from %s (says what is stored: %s) → %s', async (placement, source, same, verdict) => {
    let compared = false;
    const result = await applicationVerdict(placement, source, () => {
      compared = true;
      return Promise.resolve(same);
    });
    expect(result).toBe(verdict);
    // The comparison reads the stored documents: only a message that cannot be placed pays for it.
    expect(compared).toBe(verdict === 'unchanged' || verdict === 'ask');
  });
});

describe('whether a message says what is stored', () => {
  const entity = (fields: Partial<ApplicationEntity>) =>
    Object.assign(new ApplicationEntity(), {
      tenantId: 'default',
      id: 'application_1',
      leadId: null,
      status: null,
      productName: 'Line',
      creditLimitCents: 500_000,
      metadata: { a: 1, b: { c: [1, 2] } },
      updatedAt: at(2),
      syncedAt: at(3),
      ...fields,
    });
  const document = { documentId: 'd1', type: 'esign_agreement', displayedAt: null, consentedAt: at(1), version: 'v1' };

  it('ignores the key, the lead, the time of the sync, JSON key order, and Date identity', () => {
    const next = entity({ leadId: 'lead', syncedAt: at(9), metadata: { b: { c: [1, 2] }, a: 1 }, updatedAt: new Date(at(2).getTime()) });
    expect(sameApplication(entity({}), [document], next, [{ ...document, consentedAt: new Date(at(1).getTime()) }])).toBe(true);
  });

  it('tells a different column, JSON member, document or document order', () => {
    expect(sameApplication(entity({}), [], entity({ productName: 'Other' }), [])).toBe(false);
    expect(sameApplication(entity({}), [], entity({ metadata: { a: 1, b: { c: [2, 1] } } }), [])).toBe(false);
    expect(sameApplication(entity({}), [document], entity({}), [{ ...document, version: 'v2' }])).toBe(false);
    const second = { ...document, documentId: 'd2' };
    expect(sameApplication(entity({}), [document, second], entity({}), [second, document])).toBe(false);
  });

  it('leaves the documents out when the message had none it could read', () => {
    expect(sameApplication(entity({}), [document], entity({}), undefined)).toBe(true);
  });
});
