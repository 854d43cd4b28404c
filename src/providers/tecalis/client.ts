import { type VerificationRecord } from '../../domain/records.js';
import { Provider } from '../../domain/vocabulary.js';
import { endpoint, type ProviderHttpClient, type ProviderResponse } from '../http-client.js';
import { type ProviderAdapter, type ResultOf, type UpdateVerificationStatusCommand } from '../provider.js';
import { fromWireStatus, toWireState } from './mapping.js';
import { readProcess } from './read-process.js';
import { errorResponse, type WireStatusUpdate } from './wire.js';
import { isJsonObject } from '../json.js';

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

    return this.readAnswer(response, command);
  }

  /**
   * A 2xx means Tecalis set the state; the body, the whole process in our reading of
   * the page, is read tolerantly (`read-process.ts`). Whatever it says of the status,
   * the state just set stands (noted if the body disagrees), and with no readable
   * process at all only the status changes: the stored fields stand.
   */
  private readAnswer(response: ProviderResponse, command: UpdateVerificationStatusCommand): ResultOf<UpdateVerificationStatusCommand> {
    const data = isJsonObject(response.body) ? response.body.data : undefined;
    const reading = readProcess(data, command.authUuid);
    const parts = reading?.unread ?? [{ field: 'data', problem: 'no process in the answer' }];
    const unread = parts.map(({ field, problem }) => this.http.unread(response, field, problem));
    const state = fromWireStatus(toWireState(command.state));
    if (reading !== undefined && reading.record.status !== state) {
      unread.push(this.http.unread(response, 'status', `${JSON.stringify(reading.record.providerStatus)} after setting ${toWireState(command.state)}`));
    }
    // Nothing readable: an empty process reads as every field absent, so the stored ones stand.
    const record = reading?.record ?? readProcess({}, command.authUuid)!.record;
    const verification: VerificationRecord = {
      ...record,
      status: state,
      ...((reading === undefined || record.status !== state) && { providerStatus: toWireState(command.state) }),
    };
    return { verification, ...(unread.length > 0 && { unread, answer: this.http.keptAnswer(response) }) };
  }
}

/** Tecalis's message (`{internal_code, message}`); its errors carry no field details. */
function messageOf(response: ProviderResponse): string {
  const parsed = errorResponse.safeParse(response.body);
  return parsed.success ? parsed.data.message : `Tecalis answered ${response.status}`;
}
