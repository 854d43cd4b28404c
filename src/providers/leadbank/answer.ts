import { type ApplicationField, type ApplicationRecord } from '../../domain/records.js';
import { type ApplicationStatus } from '../../domain/vocabulary.js';
import { type ProviderHttpClient, type ProviderResponse } from '../http-client.js';
import { type ResultOf, type UpdateApplicationCommand } from '../provider.js';
import { fromWireStatus, toApplicationRecord } from './mapping.js';
import { applicationResponse, type WireApplication } from './wire.js';
import { isJsonObject } from '../json.js';

/** What the answer is read against: the application asked about and, for a patch, the status it set. */
export type AskedApplication = Pick<UpdateApplicationCommand, 'applicationId' | 'status'>;

/** Which unified fields each member of Lead Bank's application object carries. */
const FIELDS_OF_MEMBER = {
  created_at: ['createdAt'],
  updated_at: ['updatedAt'],
  status: ['status', 'providerStatus'],
  entities: ['entities'],
  details: ['productName', 'credit', 'adverseActionNotice'],
  decision: ['decision'],
  documents: ['documents'],
  metadata: ['metadata'],
} as const satisfies Record<Exclude<keyof WireApplication, 'id'>, readonly ApplicationField[]>;

type Member = keyof typeof FIELDS_OF_MEMBER;

/**
 * Reads Lead Bank's 2xx answer to a patch or a read: the whole application, in its reference
 * page's shape. The 2xx says the patch was applied, so no body makes it a failure. A
 * member the page allows to be left out is null (as it always was); a member that is
 * there but cannot be read, an unknown status, an answer about another id or no body
 * at all are noted, and the fields they would have set keep their stored values.
 */
export function readApplicationAnswer(
  http: ProviderHttpClient,
  response: ProviderResponse,
  command: AskedApplication,
  asked: 'patched' | 'read' = 'patched',
): ResultOf<UpdateApplicationCommand> {
  const unread: string[] = [];
  const note = (field: string, problem: string) => unread.push(http.unread(response, field, problem));
  const body = isJsonObject(response.body) ? response.body : undefined;
  const absent = new Set<ApplicationField>();
  const read: Partial<WireApplication> = {};

  // Without an id it is not an application object at all (e.g. `{"ok": true}`): nothing in it is Lead Bank's word on the fields.
  if (body === undefined || !('id' in body)) {
    note('body', response.text === '' ? 'empty' : 'not an application object');
    for (const fields of Object.values(FIELDS_OF_MEMBER)) fields.forEach((field) => absent.add(field));
  } else {
    if (body.id !== command.applicationId) note('id', `${JSON.stringify(body.id)} where ${command.applicationId} was ${asked}`);
    for (const member of Object.keys(FIELDS_OF_MEMBER) as Member[]) {
      if (!(member in body)) continue;
      const parsed = applicationResponse.shape[member].safeParse(body[member]);
      if (parsed.success) {
        (read as Record<string, unknown>)[member] = parsed.data;
      } else {
        const issue = parsed.error.issues[0];
        note(member, `unreadable (${[member, ...(issue?.path ?? [])].map(String).join('.')}: ${issue?.message ?? 'no detail'})`);
        FIELDS_OF_MEMBER[member].forEach((field) => absent.add(field));
      }
    }
  }

  let status: ApplicationStatus | null = null;
  if (read.status != null) {
    const known = fromWireStatus(read.status);
    if (known === undefined) {
      note('status', `unknown value ${JSON.stringify(read.status)}`);
      // The status just set, if the patch set one, is what Lead Bank accepted; otherwise the stored one stands.
      if (command.status !== undefined) status = command.status;
      else absent.add('status');
    } else {
      status = known;
    }
  }
  const application: ApplicationRecord = {
    ...toApplicationRecord({ ...read, id: command.applicationId }, status),
    ...(absent.size > 0 && { absent: [...absent] }),
  };
  return { application, ...(unread.length > 0 && { unread, answer: http.keptAnswer(response) }) };
}
