import { randomUUID } from 'node:crypto';
import { LeadEvent } from '../../src/domain/vocabulary.js';
import { endpoint } from '../../src/providers/http-client.js';
import { toWirePatch } from '../../src/providers/leadbank/index.js';
import { toWireEvent } from '../../src/providers/techea/index.js';
import { type DataSet } from '../lib/data-generator.js';
import { type LoadRequest } from '../lib/load.js';

/**
 * One mutation and the provider call it makes: the request the gateway is sent, and the
 * same provider request sent directly by the same load client (the baseline that the
 * gateway's overhead is measured against).
 */
export interface DispatchWorkload {
  readonly name: 'reportLeadEvent' | 'updateApplication';
  readonly provider: string;
  /** The n-th mutation to the gateway. */
  readonly gateway: (n: number) => LoadRequest;
  /** An answer from the gateway (or the floor, which answers in its shape) is right when the dispatch SUCCEEDED on its first attempt. */
  readonly gatewayCheck: (status: number, body: string) => boolean;
  /** The n-th request to the dispatch floor (floor-server.ts): the same input, on records of its own where it matters. */
  readonly floor: (n: number) => LoadRequest;
  /** The n-th direct call to the provider. */
  readonly direct: (n: number) => LoadRequest;
  readonly directCheck: (status: number, body: string) => boolean;
}

/** Where the gateway and the sandboxes are, and how to authenticate to each. */
export interface DispatchTargets {
  readonly gatewayPath: string;
  /** The run's admin key: the floor takes it too, on its own paths (`/reportLeadEvent`, `/updateApplication`). */
  readonly apiKey: string;
  readonly techea: { readonly baseUrl: URL; readonly apiKey: string };
  readonly leadBank: { readonly baseUrl: URL; readonly bearerToken: string };
}

const EVENTS = [LeadEvent.REGISTRATION, LeadEvent.LOAN_ISSUED, LeadEvent.LOAN_REJECTED, LeadEvent.LOAN_PAID, LeadEvent.LOAN_DEFAULTED] as const;

const REPORT_LEAD_EVENT = `mutation Report($input: ReportLeadEventInput!) {
  reportLeadEvent(input: $input) { outcome lead { id stage } dispatch { id state attempts lastError { code message } } }
}`;
const UPDATE_APPLICATION = `mutation Update($input: UpdateApplicationInput!) {
  updateApplication(input: $input) { application { id productName } dispatch { id state attempts lastError { code message } } }
}`;

/**
 * TECHEA's status update. The gateway's mutations take the first 40 % of the leads, the
 * floor's the next 40 % and the direct calls the rest, so each (lead, event) pair the
 * gateway or the floor reports is new to TECHEA (answered `received`, like a real first
 * report) for the first 5 reports per lead.
 */
export function reportLeadEventWorkload(data: DataSet, targets: DispatchTargets): DispatchWorkload {
  const gatewayLeads = Math.floor(data.leads * 0.4);
  const floorLeads = gatewayLeads;
  const directLeads = data.leads - gatewayLeads - floorLeads;
  const pair = (n: number, offset: number, count: number) => ({ index: offset + (n % count), event: EVENTS[Math.floor(n / count) % EVENTS.length] ?? LeadEvent.REGISTRATION });
  return {
    name: 'reportLeadEvent',
    provider: 'TECHEA',
    gateway: (n) => {
      const { index, event } = pair(n, 0, gatewayLeads);
      return graphql(targets, REPORT_LEAD_EVENT, { leadId: data.leadIds[index], event, advertiserRef: `bench-${n}` });
    },
    gatewayCheck: (status, body) => status === 200 && succeeded(body, 'reportLeadEvent'),
    floor: (n) => {
      const { index, event } = pair(n, gatewayLeads, floorLeads);
      return floorRequest(targets, 'reportLeadEvent', { leadId: data.leadIds[index], event, advertiserRef: `bench-${n}` });
    },
    direct: (n) => {
      const { index, event } = pair(n, gatewayLeads + floorLeads, directLeads);
      return {
        method: 'PATCH',
        path: endpoint(targets.techea.baseUrl, `lead/${data.techeaLeadIds[index]}/status`).pathname,
        headers: { 'content-type': 'application/json', apikey: targets.techea.apiKey },
        body: JSON.stringify({ event: toWireEvent(event), advertiser_ref: `bench-${n}` }),
      };
    },
    directCheck: (status, body) => status === 200 && /"status":"(received|ignored)"/.test(body),
  };
}

/** Lead Bank's application update (JSON Merge Patch with an idempotency key), on every application in turn. */
export function updateApplicationWorkload(data: DataSet, targets: DispatchTargets): DispatchWorkload {
  const patch = (n: number) => ({ productName: `Everyday Credit ${n}`, metadata: { channel: 'affiliate', revision: n } });
  return {
    name: 'updateApplication',
    provider: 'LEAD_BANK',
    gateway: (n) => {
      return graphql(targets, UPDATE_APPLICATION, { applicationId: data.applicationIds[n % data.leads], ...patch(n) });
    },
    gatewayCheck: (status, body) => status === 200 && succeeded(body, 'updateApplication'),
    floor: (n) => floorRequest(targets, 'updateApplication', { applicationId: data.applicationIds[n % data.leads], ...patch(n) }),
    direct: (n) => {
      const applicationId = data.applicationIds[n % data.leads] ?? '';
      return {
        method: 'PATCH',
        path: endpoint(targets.leadBank.baseUrl, `v0/applications/${applicationId}`).pathname,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${targets.leadBank.bearerToken}`,
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify(toWirePatch({ operation: 'updateApplication', applicationId, ...patch(n) })),
      };
    },
    directCheck: (status, body) => status === 200 && body.includes('"id":"application_'),
  };
}

function graphql(targets: DispatchTargets, query: string, input: Record<string, unknown>): LoadRequest {
  return {
    method: 'POST',
    path: targets.gatewayPath,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${targets.apiKey}` },
    body: JSON.stringify({ query, variables: { input } }),
  };
}

function floorRequest(targets: DispatchTargets, operation: DispatchWorkload['name'], input: Record<string, unknown>): LoadRequest {
  return {
    method: 'POST',
    path: `/${operation}`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${targets.apiKey}` },
    body: JSON.stringify(input),
  };
}

/** The mutation answered without errors, and its dispatch SUCCEEDED at the first attempt. */
function succeeded(body: string, field: string): boolean {
  const parsed = JSON.parse(body) as { errors?: unknown; data?: Record<string, { dispatch?: { state?: string; attempts?: number } } | null> };
  const dispatch = parsed.data?.[field]?.dispatch;
  return parsed.errors === undefined && dispatch?.state === 'SUCCEEDED' && dispatch.attempts === 1;
}
