import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ApplicationStatus, LeadEvent } from '../../../src/domain/vocabulary.js';
import { createLogger } from '../../../src/logger.js';
import { type ProviderAdapter, type ProviderCommand, type ProviderRuntime, startProviders } from '../../../src/providers/index.js';
import { type SandboxServer } from '../../../src/providers/sandbox/sandbox-server.js';
import { startLiveSandboxes } from '../../support/live-sandboxes.js';

/**
 * Every provider configured as live (the sandboxes stand in), every kind of outcome
 * driven through each adapter, every log line at trace level and every error kept:
 * no configured secret may appear in any of it.
 */
describe('provider credentials never reach a log line or an error', () => {
  let sandboxes: Awaited<ReturnType<typeof startLiveSandboxes>>;
  let runtime: ProviderRuntime;
  const logLines: string[] = [];
  const seen: string[] = [];

  beforeAll(async () => {
    sandboxes = await startLiveSandboxes();
    const config = loadConfig({ ...sandboxes.env, PROVIDER_TIMEOUT_MS: '300', LOG_LEVEL: 'trace' });
    runtime = await startProviders(config.providers, createLogger('trace', { write: (line: string) => logLines.push(line) }));
  });
  afterAll(() => sandboxes.stop());

  /** Sends and records what came back, success or failure, in full. */
  async function drive<C extends ProviderCommand>(adapter: ProviderAdapter<C>, command: C): Promise<void> {
    try {
      seen.push(JSON.stringify(await adapter.send(command, { idempotencyKey: randomUUID() })));
    } catch (error) {
      seen.push(String(error), JSON.stringify(error), (error as Error).stack ?? '');
    }
  }

  /** Each fault a provider can show: refusals of every kind, outages, slowness. */
  async function everyOutcome<C extends ProviderCommand>(server: SandboxServer, adapter: ProviderAdapter<C>, command: () => C) {
    await drive(adapter, command());
    for (const status of [400, 401, 403, 404, 409, 422, 429, 500, 503]) {
      server.setFaults({ forceStatus: status, forceCount: 2, retryAfterSeconds: 3 });
      await drive(adapter, command());
      server.clearFaults();
    }
    server.setFaults({ latencyMs: 600 });
    await drive(adapter, command());
    server.clearFaults();
  }

  it('holds for TECHEA, Lead Bank, Tecalis and Decision Cloud', async () => {
    const { techea, leadBank, tecalis, decisionCloud } = sandboxes;
    await everyOutcome(techea.server, runtime.adapters.techea, () => ({
      operation: 'reportLeadEvent',
      techeaLeadId: techea.behavior.addLead(),
      event: LeadEvent.REGISTRATION,
    }));
    await drive(runtime.adapters.techea, { operation: 'reportLeadEvent', techeaLeadId: randomUUID(), event: LeadEvent.LOAN_PAID });

    await everyOutcome(leadBank.server, runtime.adapters.leadBank, () => ({
      operation: 'updateApplication',
      applicationId: leadBank.behavior.addApplication(),
      status: ApplicationStatus.APPROVED,
    }));
    leadBank.behavior.revokeAllTokens();
    await drive(runtime.adapters.leadBank, { operation: 'updateApplication', applicationId: 'application_unknown', status: ApplicationStatus.DECLINED });

    await everyOutcome(tecalis.server, runtime.adapters.tecalis, () => ({
      operation: 'updateVerificationStatus',
      authUuid: tecalis.behavior.addProcess(),
      state: 'KO',
      reasons: 'manual review',
    }));
    await drive(runtime.adapters.tecalis, { operation: 'updateVerificationStatus', authUuid: randomUUID(), state: 'OK' });

    const customer = decisionCloud.behavior.addCustomer();
    await everyOutcome(decisionCloud.server, runtime.adapters.decisionCloud, () => ({
      operation: 'upsertLoan',
      customerId: customer,
      loanId: randomUUID(),
      decisionCloudLeadId: 7,
      loanAmountCents: 50_000,
      appliedAt: '2026-10-01T10:00:00Z',
    }));
    decisionCloud.behavior.revokeTokens();
    await drive(runtime.adapters.decisionCloud, {
      operation: 'upsertLoan',
      customerId: 'nobody',
      loanId: 'L1',
      loanAmountCents: -1,
      appliedAt: 'yesterday',
    });

    // Outages: nothing listening any more.
    await sandboxes.stop();
    await drive(runtime.adapters.leadBank, { operation: 'updateApplication', applicationId: 'application_gone', status: ApplicationStatus.CANCELED });

    expect(seen.length).toBeGreaterThan(40);
    expect(logLines.length).toBeGreaterThan(40);
    const everything = [...seen, ...logLines].join('\n');
    const leaked = Object.entries(sandboxes.secrets).filter(([, secret]) => everything.includes(secret)).map(([name]) => name);
    expect(leaked).toEqual([]);
  });
});
