import { describe, expect, it } from 'vitest';
import { ApplicationDocumentType, ApplicationStatus } from '../../../src/domain/vocabulary.js';
import { documentKindOf, fromWireStatus, toApplicationRecord, toWirePatch, toWireStatus } from '../../../src/providers/leadbank/mapping.js';
import { applicationPatch, applicationResponse, CONSENTED_DOCUMENT_TYPES, DISPLAYED_DOCUMENT_TYPES } from '../../../src/providers/leadbank/wire.js';

describe('Lead Bank vocabulary mapping', () => {
  it.each([
    [ApplicationStatus.APPROVED, 'approved'],
    [ApplicationStatus.DECLINED, 'declined'],
    [ApplicationStatus.CANCELED, 'canceled'],
  ])('maps the status %s to "%s" and back', (status, wire) => {
    expect(toWireStatus(status)).toBe(wire);
    expect(fromWireStatus(wire)).toBe(status);
  });

  it('covers every unified value', () => {
    expect(Object.values(ApplicationStatus).map(toWireStatus)).toHaveLength(3);
  });

  it.each(['Approved', 'cancelled', 'pending', 'in_review', ''])('knows no status "%s" (the client answers INVALID_RESPONSE)', (wire) => {
    expect(fromWireStatus(wire)).toBeUndefined();
  });
});

describe('Lead Bank patch and record mapping', () => {
  it('puts only the fields a command carries into the patch, in Lead Bank\'s names', () => {
    expect(toWirePatch({ operation: 'updateApplication', applicationId: 'application_1' })).toEqual({});
    expect(toWirePatch({ operation: 'updateApplication', applicationId: 'application_1', credit: { limitCents: 0 }, decision: {} })).toEqual({
      details: { credit: { limit: 0 } },
      decision: {},
    });
  });

  it('turns every field of a command into the merge patch', () => {
    expect(
      toWirePatch({
        operation: 'updateApplication',
        applicationId: 'application_1',
        status: ApplicationStatus.DECLINED,
        productName: 'Line',
        credit: { isSecured: true, isMla: false, currency: 'USD', underwritingGrade: 'A', limitCents: 100, maxLimitCents: 200 },
        adverseActionNotice: { deliveredAt: '2024-01-01T00:00:00Z', reason: 'r', deliveryMethod: 'text' },
        decision: { decidedAt: '2024-01-02T00:00:00Z', reason: 'd', exceptionApprovalReason: 'e' },
        documents: [{ documentId: 'document_1', type: 'aan', displayedAt: '2024-01-03T00:00:00Z', consentedAt: '2024-01-04T00:00:00Z', version: 'v1' }],
        metadata: { k: 'v' },
      }),
    ).toEqual({
      status: 'declined',
      details: {
        product_name: 'Line',
        credit: { is_secured: true, is_mla: false, currency: 'USD', underwriting_grade: 'A', limit: 100, max_limit: 200 },
        adverse_action_notice: { delivered_at: '2024-01-01T00:00:00Z', reason: 'r', delivery_method: 'text' },
      },
      decision: { decided_at: '2024-01-02T00:00:00Z', reason: 'd', exception_approval_reason: 'e' },
      documents: [{ document_id: 'document_1', type: 'aan', displayed_at: '2024-01-03T00:00:00Z', consented_at: '2024-01-04T00:00:00Z', version: 'v1' }],
      metadata: { k: 'v' },
    });
  });

  it('builds a patch that keeps the write rules its request type is derived from', () => {
    const patch = toWirePatch({
      operation: 'updateApplication',
      applicationId: 'application_1',
      status: ApplicationStatus.DECLINED,
      credit: { currency: 'USD', limitCents: 100, maxLimitCents: null },
      adverseActionNotice: { deliveredAt: '2024-01-01T00:00:00Z', reason: 'r', deliveryMethod: 'email' },
      decision: { reason: null },
      documents: [{ type: 'esign_agreement', consentedAt: '2024-01-04T00:00:00Z' }],
    });
    expect(applicationPatch.parse(patch)).toEqual(patch);
    expect(applicationPatch.safeParse({ ...patch, details: { adverse_action_notice: { ...patch.details?.adverse_action_notice, delivery_method: 'pigeon' } } }).success).toBe(false);
  });

  it('reads the reference page\'s example application into the unified record', () => {
    const example = applicationResponse.parse({
      id: 'application_xyz123',
      created_at: '2023-11-07T05:31:56Z',
      updated_at: '2023-11-07T05:31:56Z',
      status: 'approved',
      entities: { account_holder_type: 'commercial', account_holders: ['entity_xyz123'], authorized_signers: ['entity_xyz123'] },
      details: {
        product_name: 'Growth Business Credit Line',
        credit: {
          is_secured: true, is_mla: true, currency: 'AED', underwriting_grade: '99', limit: 5000000, max_limit: 10000000,
          report: { score: 575, pulled_at: '2023-11-07T05:31:56Z', source: 'equifax' },
        },
        adverse_action_notice: { delivered_at: '2023-11-07T05:31:56Z', reason: '<string>', delivery_method: 'email' },
      },
      decision: { decided_at: '2023-11-07T05:31:56Z', reason: '<string>', exception_approval_reason: '<string>' },
      documents: [{ document_id: 'document_2N5Hk8xYmQpL9rBvC3jD', type: 'aan', displayed_at: '2023-11-07T05:31:56Z', consented_at: '2023-11-07T05:31:56Z', version: 'v1' }],
      metadata: {},
    });
    const at = new Date('2023-11-07T05:31:56Z');
    expect(toApplicationRecord(example, ApplicationStatus.APPROVED)).toEqual({
      id: 'application_xyz123',
      status: ApplicationStatus.APPROVED,
      productName: 'Growth Business Credit Line',
      credit: {
        isSecured: true, isMla: true, currency: 'AED', underwritingGrade: '99', limitCents: 5000000, maxLimitCents: 10000000,
        score: 575, scorePulledAt: at, scoreSource: 'equifax',
      },
      adverseActionNotice: { deliveredAt: at, reason: '<string>', deliveryMethod: 'email' },
      decision: { decidedAt: at, reason: '<string>', exceptionApprovalReason: '<string>' },
      documents: [{ documentId: 'document_2N5Hk8xYmQpL9rBvC3jD', type: 'aan', displayedAt: at, consentedAt: at, version: 'v1' }],
      metadata: {},
      entities: { accountHolderType: 'commercial', accountHolders: ['entity_xyz123'], authorizedSigners: ['entity_xyz123'] },
      providerStatus: 'approved',
      createdAt: at,
      updatedAt: at,
    });
  });

  it('reads absent and null members as null, never as a default', () => {
    const bare = applicationResponse.parse({ id: 'application_1', details: { credit: { report: null }, adverse_action_notice: null }, decision: null });
    expect(toApplicationRecord(bare, null)).toEqual({
      id: 'application_1',
      status: null,
      productName: null,
      credit: {
        isSecured: null, isMla: null, currency: null, underwritingGrade: null, limitCents: null, maxLimitCents: null,
        score: null, scorePulledAt: null, scoreSource: null,
      },
      adverseActionNotice: null,
      decision: null,
      documents: [],
      metadata: null,
      entities: null,
      providerStatus: null,
      createdAt: null,
      updatedAt: null,
    });
  });
});

describe('Lead Bank document kinds', () => {
  it('gives every document type the reference page lists a kind of its own, and every kind a listed type', () => {
    const listed = [...DISPLAYED_DOCUMENT_TYPES, ...CONSENTED_DOCUMENT_TYPES];
    const kinds = listed.map(documentKindOf);
    expect(kinds).not.toContain(ApplicationDocumentType.UNKNOWN);
    expect(new Set(kinds).size).toBe(listed.length);
    expect(new Set(kinds)).toEqual(new Set(Object.values(ApplicationDocumentType).filter((kind) => kind !== ApplicationDocumentType.UNKNOWN)));
  });

  it.each(['selfie', 'AAN', 'offer summary', ''])('calls a type the page does not list ("%s") UNKNOWN', (type) => {
    expect(documentKindOf(type)).toBe(ApplicationDocumentType.UNKNOWN);
  });
});
