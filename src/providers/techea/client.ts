import { Provider } from '../../domain/vocabulary.js';
import { endpoint, pathSegment, type ProviderHttpClient, type ProviderResponse } from '../http-client.js';
import { type ProviderAdapter, type ReportLeadEventCommand, type ResultOf } from '../provider.js';
import { readStatusAnswer } from './answer.js';
import { toWireEvent } from './mapping.js';
import { errorResponse, type WireStatusUpdate } from './wire.js';

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

  /**
   * `PATCH /lead/{lead_id}/status`. TECHEA deduplicates on (lead, event) itself, so no key
   * is sent. Any 2xx is a success (see `answer.ts`).
   */
  async send(command: ReportLeadEventCommand): Promise<ResultOf<ReportLeadEventCommand>> {
    const body: WireStatusUpdate = {
      event: toWireEvent(command.event),
      ...(command.advertiserRef !== undefined && { advertiser_ref: command.advertiserRef }),
      ...(command.metadata !== undefined && { metadata: command.metadata }),
    };
    const response = await this.http.send({
      method: 'PATCH',
      url: endpoint(this.options.baseUrl, `lead/${pathSegment(command.techeaLeadId)}/status`),
      headers: { apikey: this.options.apiKey },
      json: body,
    });
    if (response.status < 200 || response.status > 299) throw this.http.failure(response, messageOf(response));

    return readStatusAnswer(this.http, response, command);
  }
}


/** TECHEA's message, with the field details of a validation error. */
function messageOf(response: ProviderResponse): string {
  const parsed = errorResponse.safeParse(response.body);
  if (!parsed.success) return `TECHEA answered ${response.status}`;
  const details = parsed.data.details?.map((d) => `${d.field}: ${d.issue}`).join('; ');
  return details ? `${parsed.data.message} (${details})` : parsed.data.message;
}
