import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../../security/constant-time-equal.js';
import { isJsonObject } from '../json.js';
import { headerOf, jsonBody, type SandboxRequest, type SandboxResponse } from '../sandbox/sandbox-server.js';
import { problem } from './sandbox-answers.js';

/** The Lead Bank sandbox's OAuth2 client-credentials endpoint and the bearer tokens it issued. */
export class SandboxTokens {
  private readonly tokens = new Map<string, { expiresAt: number }>();
  /** How many tokens were issued (a caching client asks once for many calls). */
  issued = 0;

  constructor(
    private options: { readonly clientId: string; readonly clientSecret: string; readonly lifetimeSeconds: number },
    private readonly now: () => number,
  ) {}

  /** A new client secret, as an admin rotates it at Lead Bank: the old one is refused, every token issued with it revoked. */
  rotateSecret(clientSecret: string): void {
    this.options = { ...this.options, clientSecret };
    this.revokeAll();
  }

  /** Tokens issued and not yet found expired or revoked. */
  get active(): number {
    return this.tokens.size;
  }

  /** Makes every issued token invalid at once, as a rotation or revocation would. */
  revokeAll(): void {
    this.tokens.clear();
  }

  /** `POST /v1/oauth/token`, JSON client credentials. ours: the error codes and the scope granted when none is asked. */
  issue(request: SandboxRequest): SandboxResponse {
    const body = jsonBody(request);
    if (!isJsonObject(body)) return problem(400, 'invalid_request', 'The body must be a JSON object');
    if (body.grant_type !== 'client_credentials') return problem(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    if (body.scope !== undefined && typeof body.scope !== 'string') return problem(400, 'invalid_request', 'scope must be a string');
    const { clientId, clientSecret } = this.options;
    if (typeof body.client_id !== 'string' || typeof body.client_secret !== 'string' || !constantTimeEqual(body.client_id, clientId) || !constantTimeEqual(body.client_secret, clientSecret)) {
      return problem(401, 'invalid_client', 'Invalid client credentials');
    }
    const lifetime = this.options.lifetimeSeconds;
    const token = `lb_${randomBytes(24).toString('hex')}`;
    this.tokens.set(token, { expiresAt: this.now() + lifetime * 1000 });
    this.issued++;
    return { status: 200, body: { access_token: token, token_type: 'Bearer', scope: body.scope ?? 'applications', expires_in: lifetime } };
  }

  /** The 401 for a request without a valid, unexpired bearer token; undefined when it has one. */
  refuse(request: SandboxRequest): SandboxResponse | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(headerOf(request, 'authorization') ?? '');
    if (match?.[1] === undefined) return problem(401, 'unauthorized', 'Missing bearer token');
    const token = this.tokens.get(match[1]);
    if (token === undefined) return problem(401, 'unauthorized', 'Invalid access token');
    if (this.now() >= token.expiresAt) {
      this.tokens.delete(match[1]);
      return problem(401, 'unauthorized', 'The access token has expired');
    }
    return undefined;
  }
}
