import { endpoint } from '../../src/providers/http-client.js';

/** A bearer token from the Lead Bank sandbox, for the load client's direct calls. */
export async function leadBankToken(leadBank: { baseUrl: string; clientId: string; clientSecret: string }): Promise<string> {
  const response = await fetch(endpoint(new URL(leadBank.baseUrl), 'v1/oauth/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: leadBank.clientId, client_secret: leadBank.clientSecret }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || body.access_token === undefined) throw new Error(`the Lead Bank sandbox refused a token (${response.status})`);
  return body.access_token;
}
