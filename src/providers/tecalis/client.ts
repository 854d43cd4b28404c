import { type VerificationRecord } from '../../domain/records.js';
import { Provider } from '../../domain/vocabulary.js';
import { endpoint, type ProviderHttpClient, type ProviderResponse } from '../http-client.js';
import { type ProviderAdapter, type ResultOf, type UpdateVerificationStatusCommand } from '../provider.js';
import { toVerificationRecord, toWireState } from './mapping.js';
import { errorResponse, statusUpdateResponse, type WireProcess, type WireStatusUpdate } from './wire.js';

/** Where and how to reach Tecalis. */
export interface TecalisClientOptions {
  /** The `{url}` of Tecalis's reference page; it comes from configuration. */
  readonly baseUrl: URL;
  /** The customer's API key. Tecalis takes it in the JSON body, not in a header. */
  readonly apiKey: string;
}

/** Tecalis's customer status API, behind the adapter interface. */
export class TecalisClient implements ProviderAdapter<UpdateVerificationStatusCommand> {
  readonly provider = Provider.TECALIS;

  constructor(
    private readonly http: ProviderHttpClient,
    private readonly options: TecalisClientOptions,
  ) {}

  /**
   * `PATCH /customer/status`. Setting a state is idempotent by nature (the same
   * body leaves the process as it is), so no key is sent.
   *
   * An unknown `auth_uuid` comes back as 401 "Not authorized", like a bad key: Tecalis
   * checks the pair together, so it surfaces as UNAUTHORIZED, not NOT_FOUND.
   */
  async send(command: UpdateVerificationStatusCommand): Promise<ResultOf<UpdateVerificationStatusCommand>> {
    // The published example swaps the two values; the field descriptions are right.
    const body: WireStatusUpdate = {
      auth_uuid: command.authUuid,
      api_key: this.options.apiKey,
      state: toWireState(command.state),
      // Absent keeps Tecalis's stored reasons; "" would blank them, so only a given value is sent.
      ...(command.reasons !== undefined && { reasons: command.reasons }),
    };
    const response = await this.http.send({ method: 'PATCH', url: endpoint(this.options.baseUrl, 'customer/status'), json: body });
    if (response.status < 200 || response.status > 299) throw this.http.failure(response, messageOf(response));

    const parsed = statusUpdateResponse.safeParse(response.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.http.invalidResponse(response, `a body that is not a process (${issue?.path.join('.')}: ${issue?.message})`);
    }
    const verification = this.recordOf(response, parsed.data.data);
    if (verification.authUuid.toLowerCase() !== command.authUuid.toLowerCase()) {
      throw this.http.invalidResponse(response, `an answer about another process (${verification.authUuid})`);
    }
    // A 200 whose status is not the one just set would report an update that did not happen.
    if (parsed.data.data.status !== body.state) {
      throw this.http.invalidResponse(response, `the status "${parsed.data.data.status}" after setting "${body.state}"`);
    }
    return { verification };
  }

  /** The process in the unified model; an unknown status, operation type or state is INVALID_RESPONSE. */
  private recordOf(response: ProviderResponse, process: WireProcess): VerificationRecord {
    const mapped = toVerificationRecord(process);
    if ('problem' in mapped) throw this.http.invalidResponse(response, mapped.problem);
    return mapped.record;
  }
}


/** Tecalis's message (`{internal_code, message}`); its errors carry no field details. */
function messageOf(response: ProviderResponse): string {
  const parsed = errorResponse.safeParse(response.body);
  return parsed.success ? parsed.data.message : `Tecalis answered ${response.status}`;
}
