import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationStatus, LeadEvent, LeadStage, VerificationStatus } from '../../src/domain/vocabulary.js';
import { seedLead } from '../support/fixtures.js';
import { type TestGateway, startTestGateway, secondInstanceEnv } from '../support/gateway.js';
import { postGraphQL, queryData } from '../support/graphql-client.js';
import { startGateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

interface Page {
  leads: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: Array<{ cursor: string; node: { id: string; stage: LeadStage; updatedAt: string } }>;
  };
}

const PAGE = `query ($first: Int, $after: String, $filter: LeadFilter) {
  leads(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id stage updatedAt } }
  }
}`;

describe('leads: cursor pagination and filters', () => {
  let gateway: TestGateway;
  const created: string[] = [];
  const byStage = new Map<LeadStage, string[]>();

  beforeAll(async () => {
    gateway = await startTestGateway();
    // 12 leads across four stages, created in a known order.
    const specs = [
      {},
      { lastEvent: LeadEvent.REGISTRATION },
      { verification: { status: VerificationStatus.OK } },
      { application: { status: ApplicationStatus.DECLINED } },
    ];
    for (let i = 0; i < 12; i++) {
      const lead = await seedLead(gateway.db, specs[i % 4]);
      created.push(lead.leadId);
    }
    const data = await queryData<Page>(gateway.api, PAGE, { first: 100 });
    for (const { node } of data.leads.edges) byStage.set(node.stage, [...(byStage.get(node.stage) ?? []), node.id]);
  });
  afterAll(() => gateway.stop());

  it('walks every lead exactly once, newest first, across pages', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const data: Page = await queryData<Page>(gateway.api, PAGE, { first: 5, after });
      pages++;
      expect(data.leads.totalCount).toBe(12);
      seen.push(...data.leads.edges.map((e) => e.node.id));
      if (!data.leads.pageInfo.hasNextPage) break;
      after = data.leads.pageInfo.endCursor;
      expect(after).toBe(data.leads.edges.at(-1)!.cursor);
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].reverse());
  });

  it("gives cursors that show no position and work for their tenant only, on every instance", async () => {
    const { leads } = await queryData<Page>(gateway.api, PAGE, { first: 2 });
    const cursor = leads.pageInfo.endCursor!;
    // Not the old base64 of "lead:<global sequence>": nothing readable.
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain('lead:');
    // Another tenant's admin gets the answer for any cursor it did not get itself.
    const response = await postGraphQL(gateway.other, PAGE, { first: 2, after: cursor });
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: `after: expected a cursor returned by a previous page, but got "${cursor}"`,
        extensions: { code: 'BAD_USER_INPUT', field: 'after' },
      }),
    ]);
    // A second instance on the same database reads the first's cursor (one shared key).
    const second = await startGateway(
      loadConfig(secondInstanceEnv(gateway)),
      createLogger('silent'),
    );
    try {
      const next = await queryData<Page>({ url: second.url, token: gateway.api.token! }, PAGE, { first: 2, after: cursor });
      expect(next.leads.edges.map((e) => e.node.id)).toEqual([...created].reverse().slice(2, 4));
    } finally {
      await second.close();
    }
  });

  it('keeps pages stable when leads are added meanwhile', async () => {
    const first = await queryData<Page>(gateway.api, PAGE, { first: 4 });
    const newcomer = await seedLead(gateway.db);
    const second = await queryData<Page>(gateway.api, PAGE, { first: 4, after: first.leads.pageInfo.endCursor });
    expect(second.leads.edges.map((e) => e.node.id)).toEqual([...created].reverse().slice(4, 8));
    expect(second.leads.totalCount).toBe(13);
    await gateway.db.query(`DELETE FROM lead WHERE id = $1`, [newcomer.leadId]);
  });

  it('answers an empty last page when the cursor points at the oldest lead', async () => {
    const all = await queryData<Page>(gateway.api, PAGE, { first: 100 });
    const last = all.leads.edges.at(-1)!.cursor;
    const data = await queryData<Page>(gateway.api, PAGE, { first: 5, after: last });
    expect(data.leads.edges).toEqual([]);
    expect(data.leads.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });

  it('answers first: 0 with no edges but the right total', async () => {
    const data = await queryData<Page>(gateway.api, PAGE, { first: 0 });
    expect(data.leads.edges).toEqual([]);
    expect(data.leads.totalCount).toBe(12);
    expect(data.leads.pageInfo.hasNextPage).toBe(true);
  });

  it('filters by stage, with totals and pages of the filtered set', async () => {
    const stages = [LeadStage.VERIFIED, LeadStage.DECLINED];
    const expected = [...(byStage.get(LeadStage.VERIFIED) ?? []), ...(byStage.get(LeadStage.DECLINED) ?? [])];
    expect(expected).toHaveLength(6);
    const page1 = await queryData<Page>(gateway.api, PAGE, { first: 4, filter: { stages } });
    const page2 = await queryData<Page>(gateway.api, PAGE, {
      first: 4,
      after: page1.leads.pageInfo.endCursor,
      filter: { stages },
    });
    const ids = [...page1.leads.edges, ...page2.leads.edges].map((e) => e.node.id);
    expect(page1.leads.totalCount).toBe(6);
    expect(page2.leads.pageInfo.hasNextPage).toBe(false);
    expect(new Set(ids)).toEqual(new Set(expected));
    expect([...page1.leads.edges, ...page2.leads.edges].every((e) => stages.includes(e.node.stage))).toBe(true);
  });

  it('filters by updatedSince, including the instant itself', async () => {
    const all = await queryData<Page>(gateway.api, PAGE, { first: 100 });
    const sorted = all.leads.edges.map((e) => e.node.updatedAt).sort();
    const pivot = sorted[6]!;
    const expected = sorted.filter((t) => t >= pivot).length;
    const data = await queryData<Page>(gateway.api, PAGE, { first: 100, filter: { updatedSince: pivot } });
    expect(data.leads.totalCount).toBe(expected);
    expect(data.leads.edges.every((e) => e.node.updatedAt >= pivot)).toBe(true);
  });

  it('combines both filters', async () => {
    const data = await queryData<Page>(gateway.api, PAGE, {
      first: 100,
      filter: { stages: [LeadStage.NEW], updatedSince: '2000-01-01T00:00:00Z' },
    });
    expect(new Set(data.leads.edges.map((e) => e.node.id))).toEqual(new Set(byStage.get(LeadStage.NEW)));
  });
});
