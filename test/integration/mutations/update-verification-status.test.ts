import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VerificationStatus } from '../../../src/domain/vocabulary.js';
import { seedLead } from '../../support/fixtures.js';
import { OTHER_TENANT, type TestGateway } from '../../support/gateway.js';
import { postGraphQL, queryData } from '../../support/graphql-client.js';
import {
  expectBadUserInput,
  type Sandboxes,
  settledDispatch,
  sideEffects,
  startMutationGateway,
  UPDATE_VERIFICATION_STATUS,
  withoutId,
} from './mutation-harness.js';

const READ_VERIFICATION = `query ($authUuid: ID!) {
  verification(authUuid: $authUuid) {
    authUuid processUuid status statusReasons name company profileAlias
    operations { type state }
    lead { id stage history(first: 5) { provider entityId from to } }
  }
}`;

describe('updateVerificationStatus (Tecalis)', () => {
  let gateway: TestGateway;
  let sandboxes: Sandboxes;

  beforeAll(async () => {
    ({ gateway, sandboxes } = await startMutationGateway());
  });
  afterEach(() => sandboxes.tecalis.server.clearFaults());
  afterAll(() => gateway.stop());

  const tecalis = () => sandboxes.tecalis.behavior;
  /** A pending process Tecalis has, known to the gateway under the same auth_uuid and linked to a lead. */
  const knownProcess = async (statusReasons: string | null = null) => {
    const authUuid = tecalis().addProcess({ name: 'Ana García', statusReasons, operationStates: { DOCUMENTS: 'OK', HOME: 'OK' } });
    const seeded = await seedLead(gateway.db, { verification: { status: VerificationStatus.PENDING, authUuid } });
    return { authUuid, leadId: seeded.leadId };
  };
  const readVerification = async (authUuid: string) =>
    (await queryData<{ verification: any }>(gateway.api, READ_VERIFICATION, { authUuid })).verification;
  const appliedTo = (authUuid: string) => tecalis().applied.filter((change) => change.authUuid === authUuid);

  describe('when Tecalis accepts', () => {
    it('stores the process Tecalis answered, and moves the lead to VERIFIED with a history entry', async () => {
      const { authUuid, leadId } = await knownProcess();
      // The fixture's local copy differs from Tecalis's process (process uuid, profile alias,
      // operations): afterwards the gateway must hold Tecalis's answer.
      const upstream = tecalis().processOf(authUuid)!.data;
      expect((await readVerification(authUuid)).processUuid).not.toBe(upstream.process_uuid);

      const response = await queryData<{ updateVerificationStatus: any }>(gateway.as('operator'), UPDATE_VERIFICATION_STATUS, {
        input: { authUuid, state: 'OK', reasons: 'Document and selfie match' },
      });

      const { verification, dispatch } = response.updateVerificationStatus;
      expect(dispatch).toMatchObject({
        provider: 'TECALIS',
        operation: 'updateVerificationStatus',
        state: 'SUCCEEDED',
        attempts: 1,
        lastError: null,
      });
      expect(verification).toEqual({
        authUuid,
        processUuid: upstream.process_uuid,
        status: 'OK',
        statusReasons: 'Document and selfie match',
        name: 'Ana García',
        company: 'Tecalis',
        profileAlias: 'Debug',
        operations: [
          { type: 'DOCUMENTS', state: 'OK' },
          { type: 'HOME', state: 'OK' },
          { type: 'OCR', state: 'NOT_STARTED' },
          { type: 'POL', state: 'NOT_STARTED' },
          { type: 'FINISH', state: 'NOT_STARTED' },
        ],
        lead: { id: leadId, stage: 'VERIFIED', history: [{ provider: 'TECALIS', entityId: authUuid, from: 'PENDING', to: 'OK' }] },
      });
      expect(await readVerification(authUuid)).toEqual(verification);
      expect(appliedTo(authUuid)).toEqual([{ authUuid, from: 'PENDING', to: 'OK', statusReasons: 'Document and selfie match' }]);
    });

    it("keeps Tecalis's stored reasons when none are given, and replaces them when given, even empty", async () => {
      const { authUuid } = await knownProcess('Awaiting a clearer photo');

      const kept = await queryData<{ updateVerificationStatus: any }>(gateway.api, UPDATE_VERIFICATION_STATUS, { input: { authUuid, state: 'KO' } });
      expect(kept.updateVerificationStatus.verification).toMatchObject({
        status: 'KO',
        statusReasons: 'Awaiting a clearer photo',
        lead: { stage: 'VERIFICATION_FAILED', history: [{ provider: 'TECALIS', entityId: authUuid, from: 'PENDING', to: 'KO' }] },
      });

      const blanked = await queryData<{ updateVerificationStatus: any }>(gateway.api, UPDATE_VERIFICATION_STATUS, {
        input: { authUuid, state: 'CANCELLED', reasons: '' },
      });
      expect(blanked.updateVerificationStatus.verification).toMatchObject({ status: 'CANCELLED', statusReasons: '', lead: { stage: 'VERIFICATION_FAILED' } });
      expect(blanked.updateVerificationStatus.verification.lead.history[0]).toEqual({ provider: 'TECALIS', entityId: authUuid, from: 'KO', to: 'CANCELLED' });
      expect(tecalis().processOf(authUuid)!.data).toMatchObject({ status: 'CANCELLED', status_reasons: '' });
    });

    it('adds no history entry when the state set is the one the process already has', async () => {
      const { authUuid } = await knownProcess();
      await queryData(gateway.api, UPDATE_VERIFICATION_STATUS, { input: { authUuid, state: 'OK' } });
      const again = await queryData<{ updateVerificationStatus: any }>(gateway.api, UPDATE_VERIFICATION_STATUS, { input: { authUuid, state: 'OK' } });

      expect(again.updateVerificationStatus.dispatch).toMatchObject({ state: 'SUCCEEDED', attempts: 1 });
      expect(again.updateVerificationStatus.verification.lead.history).toEqual([
        { provider: 'TECALIS', entityId: authUuid, from: 'PENDING', to: 'OK' },
      ]);
      // Tecalis itself changed nothing the second time.
      expect(appliedTo(authUuid)).toHaveLength(1);
    });
  });

  describe('when Tecalis refuses', () => {
    /** Sends the update, and checks that it failed at once, for good, without touching the local copy. */
    const refusedUpstream = async (authUuid: string, input: Record<string, unknown>) => {
      const before = await readVerification(authUuid);
      const response = await queryData<{ updateVerificationStatus: any }>(gateway.api, UPDATE_VERIFICATION_STATUS, {
        input: { authUuid, ...input },
      });
      const { dispatch, verification } = response.updateVerificationStatus;
      expect(dispatch).toMatchObject({ state: 'FAILED', attempts: 1 });
      expect(await settledDispatch(gateway, dispatch.id)).toMatchObject({ state: 'FAILED', attempts: 1 });
      expect(verification).toEqual(before);
      expect(await readVerification(authUuid)).toEqual(before);
      expect(appliedTo(authUuid)).toEqual([]);
      return dispatch.lastError;
    };

    it('fails at once with the message Tecalis gave for a 422, and leaves the process as it was', async () => {
      const { authUuid } = await knownProcess();
      sandboxes.tecalis.server.setFaults({ forceStatus: 422, forceCount: 1 });
      expect(await refusedUpstream(authUuid, { state: 'OK' })).toEqual({ code: 'REJECTED', httpStatus: 422, message: 'The given data was invalid.' });
      expect(tecalis().processOf(authUuid)!.data.status).toBe('PENDING');
    });

    it('fails at once with Tecalis\'s "Not authorized" for a process Tecalis does not have', async () => {
      // Tecalis answers an unknown auth_uuid like a bad key (CONTRACTS.md): 401, not 404.
      const authUuid = randomUUID();
      await seedLead(gateway.db, { verification: { status: VerificationStatus.PENDING, authUuid } });
      expect(await refusedUpstream(authUuid, { state: 'OK' })).toEqual({ code: 'UNAUTHORIZED', httpStatus: 401, message: 'Not authorized' });
    });
  });

  describe('input checks, before anything is written or sent', () => {
    let authUuid: string;

    beforeAll(async () => {
      ({ authUuid } = await knownProcess());
    });

    /** Posts the mutation and checks that no dispatch was recorded, no provider called, the process unchanged. */
    const refused = async (input: Record<string, unknown>) => {
      const before = await sideEffects(gateway, sandboxes);
      const verification = await readVerification(authUuid);
      const response = await postGraphQL(gateway.api, UPDATE_VERIFICATION_STATUS, { input });
      expect(await sideEffects(gateway, sandboxes)).toEqual(before);
      expect(await readVerification(authUuid)).toEqual(verification);
      return response;
    };

    it('refuses a malformed auth uuid', async () => {
      expectBadUserInput(await refused({ authUuid: 'auth-1', state: 'OK' }), 'input.authUuid', 'input.authUuid: expected a UUID, but got "auth-1"');
    });

    it("does not mind another tenant's process of the same id (issue #22: its own account's): adopts this tenant's own, leaves the other's as it was", async () => {
      const theirs = tecalis().addProcess();
      await seedLead(gateway.db, { verification: { status: VerificationStatus.PENDING, authUuid: theirs } }, OTHER_TENANT);
      const before = await gateway.db.query(`SELECT * FROM verification WHERE tenant_id = $1 AND auth_uuid = $2`, [OTHER_TENANT, theirs]);
      const response = await postGraphQL<any>(gateway.api, UPDATE_VERIFICATION_STATUS, { input: { authUuid: theirs, state: 'OK' } });
      expect(response.errors).toBeUndefined();
      expect(response.data.updateVerificationStatus.dispatch.state).toBe('SUCCEEDED');
      expect(appliedTo(theirs)).toHaveLength(1);
      expect(await gateway.db.query(`SELECT * FROM verification WHERE tenant_id = $1 AND auth_uuid = $2`, [OTHER_TENANT, theirs])).toEqual(before);
    });

    it('refuses a malformed lead id, one the gateway does not know, and one of another tenant alike', async () => {
      expectBadUserInput(await refused({ authUuid, leadId: 'lead-1', state: 'OK' }), 'input.leadId', 'input.leadId: expected a UUID, but got "lead-1"');
      const unknown = randomUUID();
      const aboutNobody = await refused({ authUuid, leadId: unknown, state: 'OK' });
      expectBadUserInput(aboutNobody, 'input.leadId', `input.leadId: no lead ${unknown} is known to the gateway`);
      const theirs = await seedLead(gateway.db, {}, OTHER_TENANT);
      const aboutTheirs = await refused({ authUuid, leadId: theirs.leadId, state: 'OK' });
      expect(withoutId(aboutTheirs, theirs.leadId)).toEqual(withoutId(aboutNobody, unknown));
    });

    it('refuses to link a process already linked to another lead', async () => {
      const other = await seedLead(gateway.db);
      expectBadUserInput(
        await refused({ authUuid, leadId: other.leadId, state: 'OK' }),
        'input.leadId',
        `input.leadId: process ${authUuid} is already linked to another lead`,
      );
    });

    it('refuses reasons over 1000 characters', async () => {
      expectBadUserInput(
        await refused({ authUuid, state: 'KO', reasons: 'r'.repeat(1001) }),
        'input.reasons',
        'input.reasons: expected at most 1000 characters, but got 1001',
      );
    });

    it('refuses an idempotency key over 255 characters', async () => {
      expectBadUserInput(
        await refused({ authUuid, state: 'OK', idempotencyKey: 'k'.repeat(256) }),
        'input.idempotencyKey',
        'input.idempotencyKey: expected at most 255 characters, but got 256',
      );
    });

    it('refuses a state that is not final (PENDING) in variables with BAD_USER_INPUT, and inline with GRAPHQL_VALIDATION_FAILED', async () => {
      const inVariables = await refused({ authUuid, state: 'PENDING' });
      expect(inVariables.status).toBe(400);
      expect(inVariables.errors).toHaveLength(1);
      expect(inVariables.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT' });
      expect(inVariables.errors![0]!.message).toContain('"PENDING"');
      expect(inVariables.errors![0]!.message).toContain('"input.state"');

      const before = await sideEffects(gateway, sandboxes);
      const inline = await postGraphQL(
        gateway.api,
        `mutation { updateVerificationStatus(input: { authUuid: "${authUuid}", state: PENDING }) { dispatch { id } } }`,
      );
      expect(inline.status).toBe(400);
      expect(inline.errors).toHaveLength(1);
      expect(inline.errors![0]!.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
      expect(inline.errors![0]!.message).toContain('PENDING');
      expect(await sideEffects(gateway, sandboxes)).toEqual(before);
    });
  });
});
