import { Provider } from '../../domain/vocabulary.js';
import { endpoint, pathSegment, type ProviderHttpClient, type ProviderResponse } from '../http-client.js';
import { type IssuedToken, TokenCache } from '../oauth-token.js';
import { type ApplicationRecord } from '../../domain/records.js';
import { type ApplicationReader, type CallContext, type ProviderAdapter, type ResultOf, type UpdateApplicationCommand } from '../provider.js';
import { readApplicationAnswer } from './answer.js';
import { toWirePatch } from './mapping.js';
import { invalidParametersError, problemError, tokenResponse, type WireInvalidParameter, type WireTokenRequest } from './wire.js';

/** Where and how to reach Lead Bank. */
export interface LeadBankClientOptions {
  /** `https://api.sandbox.lead.bank` or `https://api.lead.bank`. */
  readonly baseUrl: URL;
  /** OAuth2 client credentials. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Sent with the token request only when configured. */
  readonly scope?: string;
}

/** What the client needs besides its settings: a clock for token expiry (tests share one with the sandbox). */
export interface LeadBankClientHooks {
  readonly now?: () => number;
}

/** Lead Bank's application API, behind the adapter interface: OAuth2 client credentials, idempotent merge patches. */
export class LeadBankClient implements ProviderAdapter<UpdateApplicationCommand>, ApplicationReader {
  readonly provider = Provider.LEAD_BANK;
  private readonly tokens: TokenCache;

  constructor(
    private readonly http: ProviderHttpClient,
    private readonly options: LeadBankClientOptions,
    private readonly hooks: LeadBankClientHooks = {},
  ) {
    this.tokens = new TokenCache(() => this.requestToken(), undefined, hooks.now);
  }

  /**
   * `PATCH /v0/applications/{id}` with the dispatch's idempotency key, so a retry of a
   * call that did reach Lead Bank is answered from its stored response, not applied twice.
   */
  async send(command: UpdateApplicationCommand, context: CallContext): Promise<ResultOf<UpdateApplicationCommand>> {
    const url = endpoint(this.options.baseUrl, `v0/applications/${pathSegment(command.applicationId)}`);
    const body = toWirePatch(command);
    const response = await this.tokens.withToken((token) =>
      this.http.send({
        method: 'PATCH',
        url,
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': context.idempotencyKey },
        json: body,
      }),
    );
    if (response.status < 200 || response.status > 299) throw this.http.failure(response, messageOf(response));

    return readApplicationAnswer(this.http, response, command);
  }

  /**
   * `GET /v0/applications/{id}`: the application as Lead Bank holds it now. Read as
   * tolerantly as a patch's answer (what cannot be read is `absent`).
   */
  async readApplication(applicationId: string): Promise<ApplicationRecord> {
    const url = endpoint(this.options.baseUrl, `v0/applications/${pathSegment(applicationId)}`);
    const response = await this.tokens.withToken((token) => this.http.send({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } }));
    if (response.status < 200 || response.status > 299) throw this.http.failure(response, messageOf(response));
    return readApplicationAnswer(this.http, response, { applicationId }, 'read').application;
  }

  /** `POST /v1/oauth/token`; its failures carry neutral codes like any other call (bad credentials → UNAUTHORIZED). */
  private async requestToken(): Promise<IssuedToken> {
    const { clientId, clientSecret, scope } = this.options;
    const request: WireTokenRequest = {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      ...(scope !== undefined && { scope }),
    };
    const response = await this.http.send({ method: 'POST', url: endpoint(this.options.baseUrl, 'v1/oauth/token'), json: request });
    if (response.status < 200 || response.status > 299) throw this.http.failure(response, `token request refused: ${messageOf(response)}`);
    const parsed = tokenResponse.safeParse(response.body);
    if (!parsed.success) throw this.http.invalidResponse(response, `a body that is not a token (${describeIssue(parsed.error.issues[0])})`);
    // A bearer token is a secret too: removed from messages like the client secret.
    this.http.rememberSecret(parsed.data.access_token);
    return { accessToken: parsed.data.access_token, expiresInSeconds: parsed.data.expires_in };
  }
}


/** Lead Bank's message: the 422 `invalid_parameters` form with its fields, else RFC 7807's detail or title. */
function messageOf(response: ProviderResponse): string {
  const invalid = invalidParametersError.safeParse(response.body);
  if (invalid.success) return withParameters(invalid.data.error_message, invalid.data.invalid_parameters);
  const problem = problemError.safeParse(response.body);
  const text = problem.success ? (problem.data.detail ?? problem.data.title) : undefined;
  if (problem.success && text !== undefined) return withParameters(text, problem.data.invalid_parameters);
  return `Lead Bank answered ${response.status}`;
}

function withParameters(message: string, parameters: readonly WireInvalidParameter[] | undefined): string {
  const details = parameters?.map((p) => `${p.parameter}: ${p.reason}`).join('; ');
  return details ? `${message} (${details})` : message;
}

function describeIssue(issue: { path: PropertyKey[]; message: string } | undefined): string {
  if (issue === undefined) return 'no detail';
  return issue.path.length === 0 ? issue.message : `${issue.path.map(String).join('.')}: ${issue.message}`;
}
