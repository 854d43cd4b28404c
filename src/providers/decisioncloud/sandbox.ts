import { constantTimeEqual } from '../../security/constant-time-equal.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { isJsonObject } from '../json.js';
import { headerOf, jsonBody, type SandboxBehavior, type SandboxRequest, type SandboxResponse } from '../sandbox/sandbox-server.js';
import {
  loanUpsertFields,
  WIRE_LOAN_FIELDS,
  type WireError,
  type WireLoanUpsert,
  type WireTokenError,
} from './wire.js';
import { DECISION_CLOUD_ANSWER_VARIANTS } from './sandbox-variants.js';

/** Credentials, token lifetime, clock and seed data of a Decision Cloud sandbox. */
export interface DecisionCloudSandboxOptions {
  /** The OAuth2 client credentials `POST /oauth/token` accepts. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** `expires_in` of issued tokens; Decision Cloud's is 3600 (one hour). */
  readonly tokenLifetimeSeconds?: number;
  /** The clock tokens expire by; tests move it instead of waiting an hour. */
  readonly now?: () => number;
  /** Customers that exist from the start. */
  readonly seedCustomerIds?: readonly string[];
}

/** A loan as the sandbox stores and answers it: every field, null when never sent (ours). */
export type SandboxLoan = { customer_id: string } & { [K in WireLoanField]: WireLoanUpsert[K] | null };

type WireLoanField = (typeof WIRE_LOAN_FIELDS)[number];

/** One effective change to a loan, with the fields exactly as they came over the wire. */
export interface AppliedLoanChange {
  readonly customerId: string;
  readonly loanId: string;
  readonly change: 'created' | 'updated';
  readonly fields: Partial<WireLoanUpsert>;
}

const LOANS_PATH = /^\/api\/v1\/loan-performance\/customers\/([^/]+)\/loans$/;

/**
 * Decision Cloud as CONTRACTS.md describes it: form-encoded OAuth2 client credentials,
 * bearer tokens that expire, Laravel-style errors and 422s for every rule of the
 * reference page, and a loan upsert (201 then 200) for existing customers only.
 */
export class DecisionCloudSandbox implements SandboxBehavior {
  readonly name = 'decisioncloud';
  readonly answerVariants = DECISION_CLOUD_ANSWER_VARIANTS;
  private readonly customers = new Map<string, { fields: Record<string, unknown>; loans: Map<string, SandboxLoan> }>();
  /** Issued bearer tokens and when each stops working. */
  private readonly tokens = new Map<string, number>();
  private readonly now: () => number;
  /** Every loan created or actually changed, in order: what the sandbox applied (an update that changes nothing is not here). */
  readonly applied: AppliedLoanChange[] = [];
  /** Tokens issued, and API calls refused with 401. */
  readonly counts = { tokensIssued: 0, unauthenticated: 0 };

  constructor(private readonly options: DecisionCloudSandboxOptions) {
    this.now = options.now ?? Date.now;
    for (const id of options.seedCustomerIds ?? []) this.addCustomer(id);
  }

  /** The client credentials this sandbox accepts, to hand to a client or print for a person. */
  get credentials(): { clientId: string; clientSecret: string } {
    return { clientId: this.options.clientId, clientSecret: this.options.clientSecret };
  }

  /** Creates (or replaces the details of) a customer, as the customer upsert does; returns its id. */
  addCustomer(id: string = randomUUID(), fields: Record<string, unknown> = {}): string {
    const existing = this.customers.get(id);
    this.customers.set(id, { fields: { ...fields, customer_id: id }, loans: existing?.loans ?? new Map<string, SandboxLoan>() });
    return id;
  }

  /** The stored loan, as the upsert would answer it. */
  loan(customerId: string, loanId: string): SandboxLoan | undefined {
    return this.customers.get(customerId)?.loans.get(loanId);
  }

  /** Makes every issued token stop working before its expiry, as a revocation or key rotation does. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  inspect() {
    let loans = 0;
    for (const customer of this.customers.values()) loans += customer.loans.size;
    return { customers: this.customers.size, loans, applied: this.applied.length, ...this.counts };
  }

  errorResponse(status: number): SandboxResponse {
    if (status === 422) return { status, body: { message: 'The given data was invalid.', errors: {} } satisfies WireError };
    const message =
      status === 401 ? 'Unauthenticated.'
      : status === 403 ? 'This action is unauthorized.'
      : status === 429 ? 'Too Many Attempts.'
      : status >= 500 ? 'Server Error'
      : (STATUS_CODES[status] ?? 'Error');
    return laravel(status, message);
  }

  handle(request: SandboxRequest): SandboxResponse {
    if (request.method === 'POST' && request.path === '/oauth/token') return this.issueToken(request);
    const customerId = LOANS_PATH.exec(request.path)?.[1];
    if (request.method === 'POST' && customerId !== undefined) {
      return this.authenticated(request, () => this.upsertLoan(request, decoded(customerId)));
    }
    if (request.method === 'POST' && request.path === '/api/v1/loan-performance/customers') {
      return this.authenticated(request, () => this.upsertCustomer(request));
    }
    // An unknown route is 404 before any authentication. ours: so is another method on a known path (Laravel says 405).
    return laravel(404, 'Not Found');
  }

  /** `POST /oauth/token`: form-encoded client credentials only (ours: Passport's error shape). */
  private issueToken(request: SandboxRequest): SandboxResponse {
    const form = (headerOf(request, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
    const params = new URLSearchParams(form ? request.rawBody : '');
    if (params.get('grant_type') !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
    }
    if (!constantTimeEqual(params.get('client_id') ?? '', this.options.clientId) || !constantTimeEqual(params.get('client_secret') ?? '', this.options.clientSecret)) {
      return oauthError(401, 'invalid_client', 'Client authentication failed');
    }
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    const token = randomBytes(32).toString('hex');
    this.tokens.set(token, this.now() + lifetime * 1000);
    this.counts.tokensIssued++;
    return { status: 200, body: { token_type: 'Bearer', expires_in: lifetime, access_token: token } };
  }

  /** Runs `handler` for a live bearer token; 401 `{"message":"Unauthenticated."}` otherwise. */
  private authenticated(request: SandboxRequest, handler: () => SandboxResponse): SandboxResponse {
    const token = /^Bearer\s+(\S+)$/i.exec(headerOf(request, 'authorization') ?? '')?.[1];
    const expiresAt = token === undefined ? undefined : this.tokens.get(token);
    if (expiresAt === undefined || this.now() >= expiresAt) {
      this.counts.unauthenticated++;
      return laravel(401, 'Unauthenticated.');
    }
    return handler();
  }

  /**
   * The loan upsert, keyed by (customer, loan_id): fields sent overwrite, fields left out
   * keep their stored value (ours, as Laravel's `updateOrCreate` with validated input does).
   * ours: an unknown customer is refused (404) before the body is validated, as route
   * model binding does.
   */
  private upsertLoan(request: SandboxRequest, customerId: string | undefined): SandboxResponse {
    const customer = customerId === undefined ? undefined : this.customers.get(customerId);
    if (customerId === undefined || customer === undefined) return laravel(404, 'Not Found');
    const { fields, errors } = validateLoan(jsonBody(request));
    if (errors !== undefined) return validationFailed(errors);

    const loanId = fields.loan_id as string;
    const stored = customer.loans.get(loanId);
    const next: SandboxLoan = { ...(stored ?? emptyLoan(customerId)), ...fields };
    customer.loans.set(loanId, next);
    if (stored === undefined) {
      this.applied.push({ customerId, loanId, change: 'created', fields });
      return { status: 201, body: { data: next } };
    }
    if (WIRE_LOAN_FIELDS.some((field) => stored[field] !== next[field])) this.applied.push({ customerId, loanId, change: 'updated', fields });
    return { status: 200, body: { data: next } };
  }

  /** `POST /api/v1/loan-performance/customers` (ours, minimal): `{customer_id, …}`, 201 new, 200 known. */
  private upsertCustomer(request: SandboxRequest): SandboxResponse {
    const body = jsonBody(request);
    const fields = isJsonObject(body) ? body : {};
    const id = fields.customer_id;
    if (id === undefined || id === null || (typeof id === 'string' && id.trim() === '')) {
      return validationFailed({ customer_id: ['The customer id field is required.'] });
    }
    if (typeof id !== 'string') return validationFailed({ customer_id: ['The customer id field must be a string.'] });
    const known = this.customers.has(id);
    this.addCustomer(id, fields);
    return { status: known ? 200 : 201, body: { data: this.customers.get(id)?.fields } };
  }
}

/**
 * Laravel's rules for one field of the loan upsert: at most one presence rule, and its
 * type rule, which is the field's schema in `wire.ts` (stated once) with the message
 * Laravel gives when it fails.
 */
interface FieldRules {
  /** `required`, or `required_without:<other field>`. */
  readonly required?: true | WireLoanField;
  /** Laravel's message when the field's schema refuses the value, for the field's display name. */
  readonly invalid: (attribute: string) => string;
}

const string: FieldRules = { invalid: (a) => `The ${a} field must be a string.` };
const integer: FieldRules = { invalid: (a) => `The ${a} field must be an integer.` };
const oneOf: FieldRules = { invalid: (a) => `The selected ${a} is invalid.` };
/** Laravel's `date_format`. ours: the format named as the reference page writes it. */
const date: FieldRules = { invalid: (a) => `The ${a} field must match the format YYYY-MM-DD.` };
const datetime: FieldRules = { invalid: (a) => `The ${a} field must match the format YYYY-MM-DDTHH:mm:ssZ.` };

/** Every rule of the reference page's request parameters. */
const LOAN_RULES: { readonly [K in WireLoanField]: FieldRules } = {
  loan_id: { required: true, ...string },
  lead_id: { required: 'management_system_id', ...integer },
  management_system_id: { required: 'lead_id', ...integer },
  application_type: oneOf,
  loan_type: oneOf,
  loan_status: oneOf,
  loan_amount: { required: true, ...integer },
  funded_amount: integer,
  first_payment_date: date,
  applied_at: { required: true, ...datetime },
  esigned_at: datetime,
  withdrawn_at: datetime,
  originated_at: datetime,
};

/**
 * Validates a loan upsert as Laravel would: a failed presence rule stops the field's other
 * rules; an absent optional field is not checked; a present `null` breaks its type rule
 * (no field is `nullable`); blank strings count as empty (Laravel's TrimStrings and
 * ConvertEmptyStringsToNull). Unknown fields are ignored. `fields` are the known fields
 * exactly as sent.
 */
function validateLoan(body: unknown): { fields: Partial<WireLoanUpsert>; errors?: Record<string, string[]> } {
  const input = isJsonObject(body) ? body : {};
  const filled = (field: WireLoanField) => empty(input[field]) === false;
  const fields: Record<string, unknown> = {};
  const errors: Record<string, string[]> = {};
  for (const field of WIRE_LOAN_FIELDS) {
    const rules = LOAN_RULES[field];
    const attribute = field.replaceAll('_', ' ');
    if (Object.hasOwn(input, field)) fields[field] = input[field];
    if (!filled(field)) {
      if (rules.required === true) errors[field] = [`The ${attribute} field is required.`];
      else if (rules.required !== undefined && !filled(rules.required)) {
        errors[field] = [`The ${attribute} field is required when ${rules.required.replaceAll('_', ' ')} is not present.`];
      }
      if (errors[field] !== undefined || input[field] === undefined) continue;
    }
    if (!loanUpsertFields[field].safeParse(input[field]).success) errors[field] = [rules.invalid(attribute)];
  }
  return { fields, ...(Object.keys(errors).length > 0 && { errors }) };
}

/** Laravel's `required`: absent, null, a blank string or an empty array. */
function empty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

function validationFailed(errors: Record<string, string[]>): SandboxResponse {
  return { status: 422, body: { message: 'The given data was invalid.', errors } satisfies WireError };
}

function emptyLoan(customerId: string): SandboxLoan {
  const loan: Record<string, unknown> = { customer_id: customerId };
  for (const field of WIRE_LOAN_FIELDS) loan[field] = null;
  return loan as SandboxLoan;
}

/** A path segment decoded; a malformed escape names no customer (404), not a server error. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}



function laravel(status: number, message: string): SandboxResponse {
  return { status, body: { message } satisfies WireError };
}

function oauthError(status: number, error: string, description: string): SandboxResponse {
  return { status, body: { error, error_description: description, message: description } satisfies WireTokenError };
}
