import { type LoanRecord } from '../../domain/records.js';
import { type ProviderHttpClient, type ProviderResponse } from '../http-client.js';
import { type ResultOf, type UpsertLoanCommand } from '../provider.js';
import { fromWireApplicationType, fromWireLoanStatus, fromWireLoanType } from './mapping.js';
import { isJsonObject } from '../json.js';

/**
 * Reads Decision Cloud's 2xx answer to a loan upsert. Its reference page documents
 * no response at all, so the 2xx is the whole promise: the loan as sent is stored.
 * What the body adds (`{"data": {…the stored loan…}}` in our reading) overrides the
 * sent values field by field where it can be read; a 204, a `{message}` body,
 * Laravel's `2021-09-25T00:00:00.000000Z` timestamps or an unknown enum value are
 * read or noted, never a failure.
 */
export function readLoanAnswer(http: ProviderHttpClient, response: ProviderResponse, command: UpsertLoanCommand): ResultOf<UpsertLoanCommand> {
  const unread: string[] = [];
  const note = (field: string, problem: string) => unread.push(http.unread(response, field, problem));
  const sent = loanAsSent(command);
  const created = response.status === 201;
  const body = isJsonObject(response.body) ? response.body : undefined;
  const data = body !== undefined && isJsonObject(body.data) ? body.data : undefined;
  if (data === undefined) {
    note('data', response.text === '' ? 'no body' : 'no stored loan in the answer');
    return { loan: sent, created, unread, answer: http.keptAnswer(response) };
  }

  /** The answer's value of one field: `keep` when absent or unreadable (noted), else what `read` makes of it. */
  const field = <T>(name: string, keep: T, read: (value: unknown) => T | undefined): T => {
    if (!(name in data)) return keep;
    const value = read(data[name]);
    if (value === undefined) note(name, `unreadable value ${JSON.stringify(data[name])?.slice(0, 80)}`);
    return value === undefined ? keep : value;
  };
  const same = (name: string, expected: string) => {
    const value = data[name];
    const text = typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
    if (value !== undefined && text !== expected) note(name, `${text} where ${expected} was sent`);
  };
  same('customer_id', command.customerId);
  same('loan_id', command.loanId);

  const loan: LoanRecord = {
    customerId: command.customerId,
    loanId: command.loanId,
    decisionCloudLeadId: field('lead_id', sent.decisionCloudLeadId, nullableInteger),
    managementSystemId: field('management_system_id', sent.managementSystemId, nullableInteger),
    applicationType: field('application_type', sent.applicationType, nullable(fromWireApplicationType)),
    loanType: field('loan_type', sent.loanType, nullable(fromWireLoanType)),
    loanStatus: field('loan_status', sent.loanStatus, nullable(fromWireLoanStatus)),
    providerApplicationType: raw(data.application_type),
    providerLoanType: raw(data.loan_type),
    providerLoanStatus: raw(data.loan_status),
    loanAmountCents: field('loan_amount', sent.loanAmountCents, (value) => (Number.isSafeInteger(value) ? (value as number) : undefined)),
    fundedAmountCents: field('funded_amount', sent.fundedAmountCents, nullableInteger),
    firstPaymentDate: field('first_payment_date', sent.firstPaymentDate, nullable(calendarDate)),
    appliedAt: field('applied_at', sent.appliedAt, instant),
    esignedAt: field('esigned_at', sent.esignedAt, nullable(instant)),
    withdrawnAt: field('withdrawn_at', sent.withdrawnAt, nullable(instant)),
    originatedAt: field('originated_at', sent.originatedAt, nullable(instant)),
  };
  return { loan, created, ...(unread.length > 0 && { unread, answer: http.keptAnswer(response) }) };
}

/** The loan exactly as the command sent it: what a 2xx says Decision Cloud stored. */
export function loanAsSent(command: UpsertLoanCommand): LoanRecord {
  const date = (value: string | undefined) => (value === undefined ? null : new Date(value));
  return {
    customerId: command.customerId,
    loanId: command.loanId,
    decisionCloudLeadId: command.decisionCloudLeadId ?? null,
    managementSystemId: command.managementSystemId ?? null,
    applicationType: command.applicationType ?? null,
    loanType: command.loanType ?? null,
    loanStatus: command.loanStatus ?? null,
    loanAmountCents: command.loanAmountCents,
    fundedAmountCents: command.fundedAmountCents ?? null,
    firstPaymentDate: command.firstPaymentDate ?? null,
    appliedAt: new Date(command.appliedAt),
    esignedAt: date(command.esignedAt),
    withdrawnAt: date(command.withdrawnAt),
    originatedAt: date(command.originatedAt),
  };
}

/** A reader that takes null as null (the provider says the field is unset). */
function nullable<T>(read: (value: string) => T | undefined): (value: unknown) => T | null | undefined {
  return (value) => (value === null ? null : typeof value === 'string' ? read(value) : undefined);
}

/** A provider spelling as sent: the string, or null. */
function raw(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function nullableInteger(value: unknown): number | null | undefined {
  return value === null ? null : Number.isSafeInteger(value) ? (value as number) : undefined;
}

/**
 * An instant in any ISO-8601 form the provider's stack writes: `Z` or an offset,
 * seconds with none to nine decimals (Laravel writes microseconds), or a bare date
 * (midnight UTC). A time without a zone is ambiguous: not read.
 */
const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2}))?$/;

function instant(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const match = ISO_INSTANT.exec(value.trim());
  if (match === null) return undefined;
  const [, day, time = '00:00:00', fraction = '', zone = 'Z'] = match as unknown as [string, string, string?, string?, string?];
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const parsed = new Date(`${day}T${time.length === 5 ? `${time}:00` : time}.${millis}${zone === 'Z' || zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`}`);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** A calendar date `YYYY-MM-DD`; a timestamp's date part (Laravel casts dates to midnight timestamps). */
function calendarDate(value: string): string | undefined {
  const day = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(value)?.[1];
  return day !== undefined && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) ? day : undefined;
}
