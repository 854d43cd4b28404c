import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LEADS } from '../../src/demo/demo-leads.js';
import { LeadStage } from '../../src/domain/vocabulary.js';
import { queryData } from '../support/graphql-client.js';
import { killLeftoverGateways, runGateway } from '../support/process.js';

describe('the first five minutes: `npm start` on a fresh machine', () => {
  let home: string;
  let env: Record<string, string>;
  let key: string;

  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'leadgraph-demo-'));
    await fs.chmod(home, 0o755);
    env = { LEADGRAPH_DATA_DIR: path.join(home, 'pg'), PORT: '0', LOG_LEVEL: 'info' };
  });
  afterAll(async () => {
    await killLeftoverGateways();
    await fs.rm(home, { recursive: true, force: true });
  });

  it('loads a demo data set with a lead at every stage, and prints the key to use', async () => {
    const gateway = runGateway('node', ['bin/leadgraph.js', 'start'], env);
    const url = await gateway.ready;
    key = /Development admin key[^\n]*\n\s+(lgk_[\w-]{43})/.exec(gateway.output())![1]!;
    expect(gateway.output()).toContain('loaded the demo data set');
    const data = await queryData<any>({ url, token: key }, `{ leads(first: 100) { totalCount edges { node { stage application { id } verification { authUuid } loans { loanId } history { id } } } } }`);
    expect(data.leads.totalCount).toBe(DEMO_LEADS);
    const stages = new Set(data.leads.edges.map((e: any) => e.node.stage));
    expect([...stages].sort()).toEqual(Object.values(LeadStage).sort());
    expect(data.leads.edges.filter((e: any) => e.node.history.length > 0).length).toBeGreaterThan(DEMO_LEADS / 2);
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  });

  it('after a restart, keeps the data (no second demo set) and its records still exist at the sandboxes', async () => {
    const gateway = runGateway('node', ['bin/leadgraph.js', 'start'], env);
    const url = await gateway.ready;
    expect(gateway.output()).not.toContain('loaded the demo data set');
    const target = { url, token: key };
    const leads = await queryData<any>(target, `{ leads(first: 100, filter: { stages: [VERIFIED] }) { totalCount edges { node { id techeaLeadId application { id status } } } } }`);
    expect(leads.leads.totalCount).toBeGreaterThan(0);
    const undecided = leads.leads.edges.map((e: any) => e.node).find((n: any) => n.application?.status === null);
    expect(undecided).toBeDefined();
    // The sandboxes started empty; the gateway put its records back, so these go through upstream.
    const approved = await queryData<any>(target, `mutation ($i: UpdateApplicationInput!) { updateApplication(input: $i) { application { status } dispatch { state lastError { message } } } }`, {
      i: { applicationId: undecided.application.id, status: 'APPROVED' },
    });
    expect(approved.updateApplication).toEqual({ application: { status: 'APPROVED' }, dispatch: { state: 'SUCCEEDED', lastError: null } });
    const reported = await queryData<any>(target, `mutation ($i: ReportLeadEventInput!) { reportLeadEvent(input: $i) { outcome dispatch { state } } }`, {
      i: { leadId: undecided.id, event: 'LOAN_ISSUED' },
    });
    expect(reported.reportLeadEvent).toEqual({ outcome: 'RECEIVED', dispatch: { state: 'SUCCEEDED' } });
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  });

  it('starts empty with DEMO_DATA=off', async () => {
    const gateway = runGateway('node', ['bin/leadgraph.js', 'start'], { ...env, LEADGRAPH_DATA_DIR: path.join(home, 'empty'), DEMO_DATA: 'off' });
    const url = await gateway.ready;
    const token = /Development admin key[^\n]*\n\s+(lgk_[\w-]{43})/.exec(gateway.output())![1]!;
    expect(await queryData({ url, token }, '{ leads { totalCount } }')).toEqual({ leads: { totalCount: 0 } });
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  });
});
