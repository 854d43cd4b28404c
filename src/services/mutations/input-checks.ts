import { type DataSource } from 'typeorm';
import { type DispatchEntity, type LeadEntity } from '../../db/entities/index.js';
import { invalidInput, rejectedInput, tooLong } from '../../domain/errors.js';
import { requireUuid } from '../../domain/ids.js';
import { type Dispatcher } from '../../dispatch/dispatcher.js';
import { requestHash } from '../../dispatch/request-hash.js';
import { type InputProblem } from '../../providers/index.js';
import { type LeadStore } from '../lead-store.js';
import { type RecordAdoption } from '../record-adoption.js';
import { type RecordStore } from '../record-store.js';

/** What the dispatching mutations need. */
export interface MutationDeps {
  readonly db: DataSource;
  readonly dispatcher: Dispatcher;
  readonly leads: LeadStore;
  readonly records: RecordStore;
  /** First contact with a provider record the tenant does not hold yet. */
  readonly adoption: RecordAdoption;
}

/** A record's answer with the dispatch that carries the change. */
export interface Dispatched<T> {
  readonly record: T;
  readonly dispatch: DispatchEntity;
}

const MAX_KEY = 255;
const MAX_TEXT = 1_000;

/** The caller's idempotency key: 1 to 255 characters (Lead Bank's limit, the tightest upstream). */
export function checkIdempotencyKey(key: string | null | undefined): string | undefined {
  if (key == null) return undefined;
  if (key.length === 0) throw invalidInput('input.idempotencyKey', 'a key of 1 to 255 characters', key);
  if (key.length > MAX_KEY) throw tooLong('input.idempotencyKey', MAX_KEY, key.length);
  return key;
}

/** A free text with a length limit. */
export function checkText(value: string | null | undefined, field: string, max = MAX_TEXT): string | undefined {
  if (value == null) return undefined;
  if (value.length > max) throw tooLong(field, max, value.length);
  return value;
}

/** A lead of the caller's tenant; another tenant's lead is as unknown as one that does not exist. */
export async function requireKnownLead(leads: LeadStore, tenantId: string, leadId: string, field: string): Promise<LeadEntity> {
  const lead = await leads.findById(tenantId, requireUuid(leadId, field));
  if (lead === null) throw rejectedInput(field, `no lead ${leadId} is known to the gateway`);
  return lead;
}

/** A whole number of cents, zero or more, within GraphQL's Int. */
export function checkCents(value: number | null | undefined, field: string): number | undefined {
  if (value == null) return undefined;
  if (!Number.isSafeInteger(value) || value < 0 || value > 2_147_483_647) {
    throw invalidInput(field, 'a whole, non-negative number of cents', value);
  }
  return value;
}

/** A calendar date `YYYY-MM-DD` that exists. */
export function checkCalendarDate(value: string | null | undefined, field: string): string | undefined {
  if (value == null) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (date === undefined || date.toISOString().slice(0, 10) !== value) throw invalidInput(field, 'a date as YYYY-MM-DD', value);
  return value;
}

/** The first problem a provider's own rules found, as a bad-input error on the input field. */
export function throwFirstProblem(problems: readonly InputProblem[]): void {
  const [problem] = problems;
  if (problem !== undefined) throw invalidInput(`input.${problem.field}`, problem.expected, problem.got);
}

/** The hash that tells a replay from a reused key: the whole input but the key itself. */
export function inputHash(operation: string, input: object): string {
  const { idempotencyKey: _key, ...rest } = input as { idempotencyKey?: unknown };
  return requestHash({ operation, input: rest });
}

/** An instant as the commands carry it. */
export function iso(value: Date | null | undefined): string | undefined {
  return value == null ? undefined : value.toISOString();
}
