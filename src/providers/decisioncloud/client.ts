import { Provider } from '../../domain/vocabulary.js';
import { endpoint, pathSegment, type ProviderHttpClient, type ProviderResponse } from '../http-client.js';
import { type IssuedToken, TokenCache } from '../oauth-token.js';
import { ProviderCallError } from '../provider-error.js';
import { type ProviderAdapter, type ResultOf, type UpsertLoanCommand } from '../provider.js';
import { readLoanAnswer } from './answer.js';
import {
  toWireApplicationType,
  toWireDateTime,
  toWireLoanStatus,
  toWireLoanType,
} from './mapping.js';
import { errorResponse, tokenErrorResponse, tokenResponse, type WireLoanUpsert } from './wire.js';

/** Where and how to reach Decision Cloud. */
export interface DecisionCloudClientOptions {
  /** `https://api.decisioncloud.me`. */
  readonly baseUrl: URL;
  /** OAuth2 client credentials, exchanged for a one-hour bearer token. */
  readonly clientId: string;
  readonly clientSecret: string;
}

/** OAuth2 errors that mean our client credentials were refused, whatever status carries them (RFC 6749 §5.2). */
const CREDENTIAL_ERRORS = new Set(['invalid_client', 'unauthorized_client']);

/** Decision Cloud's loan performance API, behind the adapter interface. */
export class DecisionCloudClient implements ProviderAdapter<UpsertLoanCommand> {
  readonly provider = Provider.DECISION_CLOUD;
  private readonly tokens: TokenCache;

  constructor(
    private readonly http: ProviderHttpClient,
    private readonly options: DecisionCloudClientOptions,
    /** The clock of the token cache; tests move it to expire a token without waiting. */
    now: () => number = Date.now,
  ) {
    this.tokens = new TokenCache(() => this.requestToken(), 60_000, now);
  }

  /**
   * `POST /api/v1/loan-performance/customers/{customerId}/loans`: an upsert keyed by
   * (customer, loan), so a retry is harmless and no idempotency key is sent.
   */
  async send(command: UpsertLoanCommand): Promise<ResultOf<UpsertLoanCommand>> {
    const url = endpoint(this.options.baseUrl, `api/v1/loan-performance/customers/${pathSegment(command.customerId)}/loans`);
    const json = toWireLoan(command);
    const response = await this.tokens.withToken((token) =>
      this.http.send({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, json }),
    );
    if (response.status < 200 || response.status > 299) throw this.http.failure(response, messageOf(response));
    return readLoanAnswer(this.http, response, command);
  }

  /** `POST /oauth/token`, form-encoded client credentials → a bearer token and its lifetime. */
  private async requestToken(): Promise<IssuedToken> {
    const { clientId, clientSecret } = this.options;
    const response = await this.http.send({
      method: 'POST',
      url: endpoint(this.options.baseUrl, 'oauth/token'),
      form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
    });
    if (response.status < 200 || response.status > 299) {
      const refused = tokenErrorResponse.safeParse(response.body);
      const failure = this.http.failure(response, refused.success ? tokenMessage(refused.data) : messageOf(response));
      // RFC 6749 lets a server refuse client credentials with 400 rather than 401: still our credentials, not the request.
      if (refused.success && CREDENTIAL_ERRORS.has(refused.data.error) && failure.code === 'REJECTED') {
        throw new ProviderCallError('UNAUTHORIZED', failure.message, failure.httpStatus, failure.retryAfterMs);
      }
      throw failure;
    }
    const parsed = tokenResponse.safeParse(response.body);
    if (!parsed.success) throw this.http.invalidResponse(response, `a body that is not a token (${parsed.error.issues[0]?.message})`);
    // A bearer token is a secret too: removed from messages like the client secret.
    this.http.rememberSecret(parsed.data.access_token);
    return { accessToken: parsed.data.access_token, expiresInSeconds: parsed.data.expires_in };
  }
}

/** The command in Decision Cloud's fields; only the fields the command has are sent. */
function toWireLoan(command: UpsertLoanCommand): WireLoanUpsert {
  return {
    loan_id: command.loanId,
    ...(command.decisionCloudLeadId !== undefined && { lead_id: command.decisionCloudLeadId }),
    ...(command.managementSystemId !== undefined && { management_system_id: command.managementSystemId }),
    ...(command.applicationType !== undefined && { application_type: toWireApplicationType(command.applicationType) }),
    ...(command.loanType !== undefined && { loan_type: toWireLoanType(command.loanType) }),
    ...(command.loanStatus !== undefined && { loan_status: toWireLoanStatus(command.loanStatus) }),
    loan_amount: command.loanAmountCents,
    ...(command.fundedAmountCents !== undefined && { funded_amount: command.fundedAmountCents }),
    ...(command.firstPaymentDate !== undefined && { first_payment_date: command.firstPaymentDate }),
    applied_at: toWireDateTime(command.appliedAt),
    ...(command.esignedAt !== undefined && { esigned_at: toWireDateTime(command.esignedAt) }),
    ...(command.withdrawnAt !== undefined && { withdrawn_at: toWireDateTime(command.withdrawnAt) }),
    ...(command.originatedAt !== undefined && { originated_at: toWireDateTime(command.originatedAt) }),
  };
}


/** Decision Cloud's message, with the field errors of a 422 (`field: message …; field: …`). */
function messageOf(response: ProviderResponse): string {
  const parsed = errorResponse.safeParse(response.body);
  if (!parsed.success) return `Decision Cloud answered ${response.status}`;
  const errors = Object.entries(parsed.data.errors ?? {}).map(([field, messages]) => `${field}: ${messages.join(' ')}`).join('; ');
  return errors ? `${parsed.data.message} (${errors})` : parsed.data.message;
}

/** The token endpoint's OAuth2 error, described first, code after. */
function tokenMessage(error: { error: string; error_description?: string; message?: string }): string {
  const description = error.error_description ?? error.message;
  return description === undefined ? error.error : `${description} (${error.error})`;
}
