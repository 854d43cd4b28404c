import { Provider } from '../../domain/vocabulary.js';
import { endpoint, type ProviderHttpClient, type ProviderResponse } from '../http-client.js';
import { type ProviderAdapter, type ReportLeadEventCommand, type ResultOf } from '../provider.js';
import { fromWireEvent, fromWireStatus, toWireEvent } from './mapping.js';
import { errorResponse, statusUpdateResponse, type WireStatusUpdate } from './wire.js';

/** Where and how to reach TECHEA. */
export interface TecheaClientOptions {
  /** `https://{tenant}.techea.eu/api/v1`. */
  readonly baseUrl: URL;
  /** The advertiser key (TECHEA refuses publisher keys here). */
  readonly apiKey: string;
}

/** TECHEA's lead status API, behind the adapter interface. */
export class TecheaClient implements ProviderAdapter<ReportLeadEventCommand> {
  readonly provider = Provider.TECHEA;

  constructor(
    private readonly http: ProviderHttpClient,
    private readonly options: TecheaClientOptions,
  ) {}

  /** `PATCH /lead/{lead_id}/status`. TECHEA deduplicates on (lead, event) itself, so no key is sent. */
  async send(command: ReportLeadEventCommand): Promise<ResultOf<ReportLeadEventCommand>> {
    const body: WireStatusUpdate = {
      event: toWireEvent(command.event),
      ...(command.advertiserRef !== undefined && { advertiser_ref: command.advertiserRef }),
      ...(command.metadata !== undefined && { metadata: command.metadata }),
    };
    const response = await this.http.send({
      method: 'PATCH',
      url: endpoint(this.options.baseUrl, `lead/${encodeURIComponent(command.techeaLeadId)}/status`),
      headers: { apikey: this.options.apiKey },
      json: body,
    });
    if (response.status < 200 || response.status > 299) throw this.http.failure(response, messageOf(response));

    const parsed = statusUpdateResponse.safeParse(response.body);
    if (!parsed.success) throw this.http.invalidResponse(response, `a body that is not a status update (${parsed.error.issues[0]?.message})`);
    const outcome = fromWireStatus(parsed.data.status);
    if (outcome === undefined) throw this.http.invalidResponse(response, `an unknown status "${parsed.data.status}"`);
    const event = fromWireEvent(parsed.data.event);
    if (event !== command.event || parsed.data.lead_id.toLowerCase() !== command.techeaLeadId.toLowerCase()) {
      throw this.http.invalidResponse(response, `an answer about another lead or event (${parsed.data.lead_id}, ${parsed.data.event})`);
    }
    return { techeaLeadId: command.techeaLeadId, event, outcome };
  }
}


/** TECHEA's message, with the field details of a validation error. */
function messageOf(response: ProviderResponse): string {
  const parsed = errorResponse.safeParse(response.body);
  if (!parsed.success) return `TECHEA answered ${response.status}`;
  const details = parsed.data.details?.map((d) => `${d.field}: ${d.issue}`).join('; ');
  return details ? `${parsed.data.message} (${details})` : parsed.data.message;
}
