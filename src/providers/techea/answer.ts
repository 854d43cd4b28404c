import { type LeadEventOutcome } from '../../domain/vocabulary.js';
import { type ProviderHttpClient, type ProviderResponse } from '../http-client.js';
import { type ReportLeadEventCommand, type ResultOf } from '../provider.js';
import { fromWireEvent, fromWireStatus, toWireEvent } from './mapping.js';
import { isJsonObject } from '../json.js';

/**
 * Reads TECHEA's 2xx answer to a status update. The 2xx itself says TECHEA took the
 * event; the body only adds whether it was new (`received`) or a duplicate
 * (`ignored`). So nothing in the body can fail the call: TECHEA's own reference page
 * answers `"event": "registration"` to a `loan_issued` update, and an unknown status,
 * another event or lead id, or no body at all are noted, not refused.
 */
export function readStatusAnswer(
  http: ProviderHttpClient,
  response: ProviderResponse,
  command: ReportLeadEventCommand,
): ResultOf<ReportLeadEventCommand> {
  const unread: string[] = [];
  const note = (field: string, problem: string) => unread.push(http.unread(response, field, problem));
  const body = isJsonObject(response.body) ? response.body : undefined;
  if (body === undefined) note('body', response.text === '' ? 'empty' : 'not a JSON object');

  let outcome: LeadEventOutcome | null = null;
  if (body !== undefined) {
    const status = body.status;
    outcome = typeof status === 'string' ? (fromWireStatus(status) ?? null) : null;
    if (outcome === null) note('status', status === undefined ? 'missing' : `unknown value ${JSON.stringify(status)}`);
    if (body.event !== undefined && (typeof body.event !== 'string' || fromWireEvent(body.event) !== command.event)) {
      note('event', `${JSON.stringify(body.event)} where ${toWireEvent(command.event)} was sent`);
    }
    const leadId = body.lead_id;
    if (leadId !== undefined && (typeof leadId !== 'string' || leadId.toLowerCase() !== command.techeaLeadId.toLowerCase())) {
      note('lead_id', `${JSON.stringify(leadId)} where ${command.techeaLeadId} was sent`);
    }
  }
  return {
    techeaLeadId: command.techeaLeadId,
    event: command.event,
    outcome,
    ...(typeof body?.status === 'string' && { providerStatus: body.status }),
    ...(command.advertiserRef !== undefined && { advertiserRef: command.advertiserRef }),
    ...(unread.length > 0 && { unread, answer: http.keptAnswer(response) }),
  };
}
